package io.github.sanasr.command;

import ij.IJ;
import ij.ImagePlus;
import io.github.sanasr.adapt.AdaptException;
import io.github.sanasr.adapt.AdaptImage;
import io.github.sanasr.adapt.AdaptInputs;
import io.github.sanasr.adapt.AdaptOptions;
import io.github.sanasr.adapt.AdaptResult;
import io.github.sanasr.adapt.ModelAdapter;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.core.RestoreException;

import java.nio.file.Path;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.task.Task;
import org.scijava.task.TaskService;

/**
 * Plugins > SANA-SR > Adapt model to my images. Thin: collects the images (the files and folders named, or
 * the active image), builds {@link AdaptOptions} through {@link AdaptParameters} (shared with the ImageJ 1.x
 * plugin and {@code sana-sr adapt}) and hands off to {@link ModelAdapter}. Macro example:
 * {@code run("Adapt model to my images", "images=[/data/mine] name=my-confocal minutes=5 degradation=binning noise=auto");}
 */
@Plugin(type = Command.class, menuPath = CommandParameters.MENU + ">" + AdaptParameters.COMMAND, headless = true)
public class AdaptCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private TaskService tasks;

	@Parameter(label = "Active image", required = false)
	private ImagePlus image;

	@Parameter(label = "Images (files or folders, ';'-separated; empty = the active image)", required = false,
		description = AdaptParameters.IMAGES_HELP)
	private String images = "";

	@Parameter(label = "Name of the new model", description = AdaptParameters.NAME_HELP)
	private String name = "my-microscope";

	@Parameter(label = "Base model", required = false, description = AdaptParameters.BASE_HELP)
	private String base = AdaptParameters.DEFAULT_BASE;

	@Parameter(label = "Minutes", min = "" + AdaptParameters.MINUTES_MIN, max = "" + AdaptParameters.MINUTES_MAX,
		description = AdaptParameters.MINUTES_HELP)
	private double minutes = AdaptParameters.DEFAULT_MINUTES;

	@Parameter(label = "Degradation", choices = { AdaptParameters.DEGRADATION_BINNING,
		AdaptParameters.DEGRADATION_BICUBIC }, description = AdaptParameters.DEGRADATION_HELP)
	private String degradation = AdaptParameters.DEFAULT_DEGRADATION;

	@Parameter(label = "Noise", choices = { AdaptParameters.NOISE_AUTO, AdaptParameters.NOISE_NONE },
		description = AdaptParameters.NOISE_HELP)
	private String noise = AdaptParameters.DEFAULT_NOISE;

	@Parameter(label = "Models folder (empty = default)", required = false, description = AdaptParameters.MODELS_DIR_HELP)
	private String models_dir = "";

	@Parameter(label = "Overwrite an existing model", required = false)
	private boolean overwrite;

	@Parameter(type = ItemIO.OUTPUT, label = "Adaptation")
	private String outcome;

	private AdaptResult result;

	@Override
	public void run() {
		final AdaptOptions options;
		final List<AdaptImage> inputs;
		try {
			options = AdaptParameters.options(name, base, minutes, degradation, noise, models_dir, overwrite);
			final List<Path> paths = AdaptParameters.imagePaths(images);
			if (paths.isEmpty()) {
				if (image == null) throw new AdaptException("No images: open one, or name image files or folders.");
				inputs = List.of(new AdaptImage(image.getTitle(), image, null));
			}
			else inputs = AdaptInputs.open(paths, note -> log.warn("SANA-SR adapt: " + note));
		}
		catch (final IllegalArgumentException | AdaptException e) {
			fail(e.getMessage());
			return;
		}
		if (!java.awt.GraphicsEnvironment.isHeadless()) IJ.resetEscape();
		final Task task = tasks == null ? null : tasks.createTask("SANA-SR adapt " + options.name());
		if (task != null) task.start();
		try {
			result = new ModelAdapter().log(log::info).adapt(inputs, options, new TaskProgress(status, task, message -> "SANA-SR " + message + " (Esc cancels)", this::isCanceled));
			outcome = result.message();
			if (result.written()) log.info("SANA-SR adapt: " + outcome);
			else log.warn("SANA-SR adapt: " + outcome);
		}
		catch (final RestoreCancelledException e) {
			cancel("Cancelled: no model was written.");
		}
		catch (final RestoreException e) {
			fail(e.getMessage());
		}
		catch (final RuntimeException e) {
			log.error(e);
			fail("Internal error (please report): " + e);
		}
		finally {
			if (task != null) task.finish();
			if (status != null) status.clearStatus();
		}
	}

	private void fail(final String message) {
		log.error("SANA-SR adapt: " + message);
		cancel(message);
	}

	/** The outcome of the last run (null before, or when it failed or was cancelled). */
	public AdaptResult getResult() { return result; }
}
