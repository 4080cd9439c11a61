package io.github.sanasr.command;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.BatchListener;
import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRestorer;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.ImageRestorer;
import io.github.sanasr.batch.InvalidJobException;
import io.github.sanasr.core.RestoreOptions;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.scijava.ItemVisibility;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;

/**
 * Restores every image in a folder and writes the results, a provenance sidecar per output and a summary
 * CSV to an output folder. Every parameter has a lowercase name and a string form, so the command records
 * in Fiji's macro recorder and runs headless:
 * {@code run("Super-resolve folder (SANA-SR)", "input=/in output=/out pattern=*.tif scale=4 ...")}. Names,
 * defaults, limits and validation come from {@link CommandParameters}, shared with the ImageJ 1.x plugin
 * {@code io.github.sanasr.ij1.SuperResolveFolderPlugin}.
 */
@Plugin(type = Command.class, headless = true, menuPath = CommandParameters.MENU + ">" + CommandParameters.FOLDER_COMMAND)
public class SuperResolveFolderCommand extends DynamicCommand {

	@Parameter(visibility = ItemVisibility.MESSAGE, persist = false, required = false)
	private final String note = "<html>Generative super-resolution: outputs are computed, not measured.<br>" +
		"An existing output is skipped only if it was made from the same input, model and options (a stopped batch " +
		"resumes);<br>one made otherwise is a conflict, left untouched unless 'overwrite' is ticked.";

	@Parameter(label = "Input folder", style = "directory",
		description = "Folder with the images to restore (or a single image file)")
	private File input;

	@Parameter(label = "File pattern", required = false, description = CommandParameters.PATTERN_HELP)
	private String pattern = CommandParameters.DEFAULT_PATTERN;

	@Parameter(label = "Include subfolders", required = false)
	private boolean recursive;

	@Parameter(label = "Output folder", style = "directory", description = "Created if missing; subfolders are mirrored")
	private File output;

	@Parameter(label = "Model", required = false, description = CommandParameters.MODEL_HELP,
		initializer = "offerModelChoices", callback = "modelChosen")
	private String model = CommandParameters.DEFAULT_MODEL;

	@Parameter(label = "Scale", min = "" + CommandParameters.SCALE_MIN, max = "" + CommandParameters.SCALE_MAX,
		description = CommandParameters.SCALE_HELP)
	private int scale = CommandParameters.DEFAULT_SCALE;

	@Parameter(label = "Tile size", required = false, description = CommandParameters.TILE_HELP)
	private String tile = CommandParameters.DEFAULT_TILE;

	@Parameter(label = "Device", choices = { CommandParameters.DEVICE_AUTO, CommandParameters.DEVICE_CPU,
		CommandParameters.DEVICE_GPU })
	private String device = CommandParameters.DEFAULT_DEVICE;

	@Parameter(label = "Precision", choices = { CommandParameters.PRECISION_AUTO, CommandParameters.PRECISION_FLOAT32,
		CommandParameters.PRECISION_BFLOAT16 }, required = false, description = CommandParameters.PRECISION_HELP)
	private String precision = CommandParameters.DEFAULT_PRECISION;

	@Parameter(label = "Prompt", required = false, description = CommandParameters.PROMPT_HELP,
		initializer = "offerPromptChoices")
	private String prompt = CommandParameters.DEFAULT_PROMPT;

	@Parameter(label = "Fidelity map", required = false, description = "Also write <name>-fidelity.tif")
	private boolean fidelity_map;

	@Parameter(label = "Consistency with the input", required = false, description = CommandParameters.CONSISTENCY_HELP)
	private boolean consistency;

	@Parameter(label = "32-bit output", required = false, description = "tif only")
	private boolean float32;

	@Parameter(label = "Low percentile", required = false, min = "" + CommandParameters.PERCENTILE_MIN,
		max = "" + CommandParameters.PERCENTILE_MAX)
	private double low_percentile = CommandParameters.DEFAULT_LOW_PERCENTILE;

	@Parameter(label = "High percentile", required = false, min = "" + CommandParameters.PERCENTILE_MIN,
		max = "" + CommandParameters.PERCENTILE_MAX)
	private double high_percentile = CommandParameters.DEFAULT_HIGH_PERCENTILE;

	@Parameter(label = "Output format", choices = { CommandParameters.FORMAT_TIF, CommandParameters.FORMAT_PNG },
		description = CommandParameters.FORMAT_HELP)
	private String format = CommandParameters.DEFAULT_FORMAT;

	@Parameter(label = "Overwrite existing outputs", required = false)
	private boolean overwrite;

	@Parameter
	private LogService log;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private UIService ui;

	/** The model before the person chose "Other model folder..." (kept if they pick no folder). */
	private String lastModel = CommandParameters.DEFAULT_MODEL;

	// -- set by the command line (not parameters, so they never show in a dialog or a recorded macro) --
	private List<Path> extraInputs = List.of();
	private BatchListener listener = BatchListener.NONE;
	private ImageRestorer restorer;

	private BatchReport report;

	/** Replaces {@code input} with several files and folders (the command line's INPUT...). */
	public void setInputs(final List<Path> inputs) {
		extraInputs = List.copyOf(inputs);
	}

	public void setBatchListener(final BatchListener l) {
		listener = l == null ? BatchListener.NONE : l;
	}

	/** For tests: a restoration other than the core's (the caller closes it). */
	public void setRestorer(final ImageRestorer r) {
		restorer = r;
	}

	/** The summary of the finished run; null when the command was cancelled before starting. */
	public BatchReport report() {
		return report;
	}

	/**
	 * The dialog's model choices ({@link CommandChoices}); the model remembered from the last run stays a choice
	 * even when it is a folder.
	 */
	void offerModelChoices() {
		CommandChoices.offerModels(this, model);
		lastModel = CommandChoices.shown(this, model);
	}

	/** The dialog's prompt choices: the model's own. */
	void offerPromptChoices() {
		CommandChoices.offerPrompts(this, CommandChoices.shown(this, model));
	}

	/** A new model: "Other model folder..." asks for the folder; the prompts become the model's. */
	void modelChosen() {
		model = CommandChoices.resolveChoice(this, ui, model, lastModel);
		lastModel = model;
		final java.util.List<String> prompts = CommandChoices.offerPrompts(this, model);
		if (!prompts.contains(prompt)) prompt = CommandParameters.DEFAULT_PROMPT;
	}

	@Override
	public void run() {
		final BatchJob job;
		try {
			job = buildJob();
			Files.createDirectories(job.outputDir());
		}
		catch (final IllegalArgumentException | IOException e) {
			cancel(e instanceof IOException ? "Cannot create the output folder: " + e.getMessage() : e.getMessage());
			return;
		}
		final ImageRestorer r = restorer != null ? restorer : ImageRestorer.core(log::info);
		try {
			report = new BatchRestorer(r).run(job, new StatusListener());
		}
		catch (final InvalidJobException e) {
			// the whole job cannot run: one message, not one failure per file (headless, the command line prints the
			// cancel reason and exits 2; in Fiji the log shows it)
			if (!GraphicsEnvironment.isHeadless()) log.error("SANA-SR batch: " + e.getMessage());
			cancel(e.getMessage());
			return;
		}
		finally {
			if (restorer == null) r.close();
		}
		final Path csv = job.outputDir().resolve(BatchReport.CSV_NAME);
		log.info("SANA-SR batch: " + report.summaryLine() + "; summary in " + csv);
		if (status != null) status.showStatus("SANA-SR batch: " + report.summaryLine());
		if (!GraphicsEnvironment.isHeadless()) report.toResultsTable().show(BatchReport.TABLE_TITLE);
	}

	BatchJob buildJob() {
		final List<Path> inputs = new ArrayList<>(extraInputs);
		if (inputs.isEmpty()) {
			if (input == null) throw new IllegalArgumentException("No input folder given.");
			inputs.add(input.toPath());
		}
		if (output == null) throw new IllegalArgumentException("No output folder given.");
		final RestoreOptions options = CommandParameters.restoreOptions(model, scale, tile, device, precision,
			prompt, fidelity_map, consistency, float32, low_percentile, high_percentile);
		return CommandParameters.batchJob(inputs, pattern, recursive, output.toPath(), format, overwrite, options);
	}

	/** Forwards to the command line's listener and to Fiji's status bar; cancels with the command. */
	private final class StatusListener implements BatchListener {

		@Override
		public void fileStarted(final int index, final int count, final Path file) {
			if (status != null) status.showStatus(index, count, "SANA-SR: " + file.getFileName() + " (" + (index + 1) + "/" + count + ")");
			listener.fileStarted(index, count, file);
		}

		@Override
		public void fileProgress(final int index, final int count, final long tilesDone, final long tilesTotal) {
			if (status != null && tilesTotal > 0) status.showProgress((int) (1000 * (index + (double) tilesDone / tilesTotal)), 1000 * count);
			listener.fileProgress(index, count, tilesDone, tilesTotal);
		}

		@Override
		public void fileFinished(final int index, final int count, final BatchRow row) {
			listener.fileFinished(index, count, row);
		}

		@Override
		public boolean isCancelled() {
			return isCanceled() || Thread.currentThread().isInterrupted() || listener.isCancelled();
		}
	}
}
