package io.github.sanasr.command;

import ij.IJ;
import ij.ImagePlus;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;
import io.github.sanasr.core.Restorer;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;
import org.scijava.task.Task;
import org.scijava.task.TaskService;

/**
 * Plugins > SANA-SR > Super-resolve (SANA-SR). Thin: validates the parameters, builds {@link RestoreOptions}
 * and hands off to {@link Restorer}. Names, defaults, limits and validation come from {@link CommandParameters},
 * shared with the ImageJ 1.x plugin {@code io.github.sanasr.ij1.SuperResolvePlugin}. Macro example:
 * {@code run("Super-resolve (SANA-SR)", "model=sana-sr-compact-x4 scale=4 tile=auto device=auto prompt=fluorescence fidelity_map");}
 */
@Plugin(type = Command.class, menuPath = CommandParameters.MENU + ">" + CommandParameters.SINGLE_COMMAND, headless = true)
public class SuperResolveCommand extends DynamicCommand {

	@Parameter
	private LogService log;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private UIService ui;

	/** The model before the person chose "Other model folder..." (kept if they pick no folder). */
	private String lastModel = CommandParameters.DEFAULT_MODEL;

	@Parameter(required = false)
	private TaskService tasks;

	@Parameter(label = "Image")
	private ImagePlus image;

	@Parameter(label = "Model (name or folder)", required = false,
		description = CommandParameters.MODEL_HELP,
		initializer = "offerModelChoices", callback = "modelChosen")
	private String model = CommandParameters.DEFAULT_MODEL;

	@Parameter(label = "Scale", min = "" + CommandParameters.SCALE_MIN, max = "" + CommandParameters.SCALE_MAX,
		description = CommandParameters.SCALE_HELP)
	private int scale = CommandParameters.DEFAULT_SCALE;

	@Parameter(label = "Tile size (input pixels)", required = false, description = CommandParameters.TILE_HELP)
	private String tile = CommandParameters.DEFAULT_TILE;

	@Parameter(label = "Device", choices = { CommandParameters.DEVICE_AUTO, CommandParameters.DEVICE_CPU,
		CommandParameters.DEVICE_GPU }, required = false)
	private String device = CommandParameters.DEFAULT_DEVICE;

	@Parameter(label = "Precision", choices = { CommandParameters.PRECISION_AUTO, CommandParameters.PRECISION_FLOAT32,
		CommandParameters.PRECISION_BFLOAT16 }, required = false, description = CommandParameters.PRECISION_HELP)
	private String precision = CommandParameters.DEFAULT_PRECISION;

	@Parameter(label = "Content prompt", required = false, description = CommandParameters.PROMPT_HELP,
		initializer = "offerPromptChoices")
	private String prompt = CommandParameters.DEFAULT_PROMPT;

	@Parameter(label = "Fidelity map", required = false, description = CommandParameters.FIDELITY_HELP)
	private boolean fidelity_map;

	@Parameter(label = "Consistency with the input", required = false, description = CommandParameters.CONSISTENCY_HELP)
	private boolean consistency;

	@Parameter(label = "32-bit output", required = false)
	private boolean float32;

	@Parameter(label = "Low percentile", required = false, min = "" + CommandParameters.PERCENTILE_MIN,
		max = "" + CommandParameters.PERCENTILE_MAX)
	private double low_percentile = CommandParameters.DEFAULT_LOW_PERCENTILE;

	@Parameter(label = "High percentile", required = false, min = "" + CommandParameters.PERCENTILE_MIN,
		max = "" + CommandParameters.PERCENTILE_MAX)
	private double high_percentile = CommandParameters.DEFAULT_HIGH_PERCENTILE;

	@Parameter(type = ItemIO.OUTPUT, label = "Super-resolved")
	private ImagePlus result;

	@Parameter(type = ItemIO.OUTPUT, label = "Fidelity map", required = false)
	private ImagePlus fidelity;

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
		if (image == null) {
			fail("No image: open one first.");
			return;
		}
		final RestoreOptions options;
		try {
			options = CommandParameters.restoreOptions(model, scale, tile, device, precision, prompt, fidelity_map,
				consistency, float32,
				low_percentile, high_percentile);
		}
		catch (final IllegalArgumentException e) {
			fail(e.getMessage());
			return;
		}
		if (!java.awt.GraphicsEnvironment.isHeadless()) IJ.resetEscape(); // an old Esc must not cancel this run
		final Task task = tasks == null ? null : tasks.createTask("SANA-SR " + image.getTitle());
		if (task != null) task.start();
		try (Restorer restorer = new Restorer().log(log::info)) {
			final RestoreResult r = restorer.restore(image, options, new TaskProgress(status, task, message -> message, this::isCanceled));
			result = r.image();
			fidelity = r.fidelityMap().orElse(null);
		}
		catch (final RestoreCancelledException e) {
			cancel(e.getMessage());
		}
		catch (final RestoreException e) {
			fail(e.getMessage());
		}
		catch (final RuntimeException e) {
			// a bug, not a user error: say so, with the cause for the report
			log.error(e);
			fail("Internal error (please report): " + e);
		}
		finally {
			if (task != null) task.finish();
			if (status != null) status.clearStatus();
		}
	}

	private void fail(final String message) {
		log.error("SANA-SR: " + message);
		cancel(message);
	}

	// Setters for callers that build the command by hand (tests, scripts).
	public void setImage(final ImagePlus image) { this.image = image; }
	public ImagePlus getResult() { return result; }
	public ImagePlus getFidelity() { return fidelity; }
}
