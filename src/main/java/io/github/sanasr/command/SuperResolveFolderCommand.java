package io.github.sanasr.command;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.BatchListener;
import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRestorer;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.ImageRestorer;
import io.github.sanasr.batch.OutputFormat;
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
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Restores every image in a folder and writes the results, a provenance sidecar per output and a summary
 * CSV to an output folder. Every parameter has a lowercase name and a string form, so the command records
 * in Fiji's macro recorder and runs headless:
 * {@code run("Super-resolve folder (SANA-SR)", "input=/in output=/out pattern=*.tif scale=4 ...")}.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>SANA-SR>Super-resolve folder (SANA-SR)")
public class SuperResolveFolderCommand extends ContextCommand {

	@Parameter(visibility = ItemVisibility.MESSAGE, persist = false, required = false)
	private final String note = "<html>Generative super-resolution: outputs are computed, not measured.<br>" +
		"Existing outputs are skipped unless 'overwrite' is ticked, so a stopped batch resumes.";

	@Parameter(label = "Input folder", style = "directory",
		description = "Folder with the images to restore (or a single image file)")
	private File input;

	@Parameter(label = "File pattern", required = false,
		description = "File name globs separated by ';', e.g. *.tif;*.png (case-insensitive); * takes every file")
	private String pattern = BatchJob.ALL_FILES;

	@Parameter(label = "Include subfolders", required = false)
	private boolean recursive;

	@Parameter(label = "Output folder", style = "directory", description = "Created if missing; subfolders are mirrored")
	private File output;

	@Parameter(label = "Model", required = false, description = "Name of a shipped model, or path to a model folder")
	private String model = RestoreOptions.DEFAULT_MODEL;

	@Parameter(label = "Scale", min = "2", max = "4", description = "4 is the model's own scale; 2 and 3 resample its output")
	private int scale = 4;

	@Parameter(label = "Tile size", required = false, description = "auto, or tile size in input pixels")
	private String tile = "auto";

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" })
	private String device = "auto";

	@Parameter(label = "Prompt", required = false,
		description = "Content hint: default, generic, photo, fluorescence, brightfield, histology, electron, astro")
	private String prompt = "default";

	@Parameter(label = "Fidelity map", required = false, description = "Also write <name>-fidelity.tif")
	private boolean fidelity_map;

	@Parameter(label = "32-bit output", required = false, description = "tif only")
	private boolean float32;

	@Parameter(label = "Low percentile", required = false, min = "0", max = "100")
	private double low_percentile = 0.1;

	@Parameter(label = "High percentile", required = false, min = "0", max = "100")
	private double high_percentile = 99.9;

	@Parameter(label = "Output format", choices = { "tif", "png" },
		description = "tif keeps the ImageJ metadata; png only for 8-bit or RGB single planes")
	private String format = "tif";

	@Parameter(label = "Overwrite existing outputs", required = false)
	private boolean overwrite;

	@Parameter
	private LogService log;

	@Parameter(required = false)
	private StatusService status;

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
		final RestoreOptions options = RestoreOptions.builder().model(model).scale(scale).tile(tile).device(device)
			.prompt(prompt).fidelityMap(fidelity_map).float32Output(float32).percentiles(low_percentile, high_percentile)
			.build();
		return BatchJob.builder().inputs(inputs).pattern(pattern).recursive(recursive).outputDir(output.toPath())
			.format(OutputFormat.parse(format)).overwrite(overwrite).options(options).build();
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
