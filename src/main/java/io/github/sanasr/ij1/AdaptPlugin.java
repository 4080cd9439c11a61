package io.github.sanasr.ij1;

import static io.github.sanasr.command.AdaptParameters.BASE;
import static io.github.sanasr.command.AdaptParameters.DEGRADATION;
import static io.github.sanasr.command.AdaptParameters.IMAGES;
import static io.github.sanasr.command.AdaptParameters.MINUTES;
import static io.github.sanasr.command.AdaptParameters.MODELS_DIR;
import static io.github.sanasr.command.AdaptParameters.NAME;
import static io.github.sanasr.command.AdaptParameters.NOISE;
import static io.github.sanasr.command.AdaptParameters.OVERWRITE;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.plugin.PlugIn;
import io.github.sanasr.adapt.AdaptException;
import io.github.sanasr.adapt.AdaptImage;
import io.github.sanasr.adapt.AdaptInputs;
import io.github.sanasr.adapt.AdaptOptions;
import io.github.sanasr.adapt.AdaptResult;
import io.github.sanasr.adapt.ModelAdapter;
import io.github.sanasr.command.AdaptParameters;
import io.github.sanasr.core.RestoreException;

import java.nio.file.Path;
import java.util.List;

/**
 * Plugins › SANA-SR › Adapt model to my images in plain ImageJ 1.x: the counterpart of
 * {@link io.github.sanasr.command.AdaptCommand}, with the same parameters ({@link AdaptParameters#SPECS}), macro
 * keys and validation, handing over to the same {@link ModelAdapter}.
 * {@code run("Adapt model to my images", "images=[/data/mine] name=my-confocal minutes=5 noise=auto");}
 */
public class AdaptPlugin implements PlugIn {

	@Override
	public void run(final String arg) {
		final String cmd = AdaptParameters.COMMAND;
		final Ij1Parameters p;
		final AdaptOptions options;
		final List<AdaptImage> inputs;
		try {
			final String macro = Ij1Host.noGui() && Ij1Parameters.macroOptions() == null ? ""
				: Ij1Parameters.macroOptions();
			p = macro != null ? Ij1Parameters.fromMacro(cmd, AdaptParameters.SPECS, macro)
				: Ij1Parameters.fromDialog(cmd, AdaptParameters.SPECS,
					"Fine-tunes low-rank adapters of the base model on your images (CPU) and saves a new model.");
			if (p == null) return;
			options = AdaptParameters.options(p.string(NAME), p.string(BASE), p.number(MINUTES), p.choice(DEGRADATION),
				p.choice(NOISE), p.string(MODELS_DIR), p.bool(OVERWRITE));
			final List<Path> paths = AdaptParameters.imagePaths(p.string(IMAGES));
			if (paths.isEmpty()) {
				final ImagePlus image = WindowManager.getCurrentImage();
				if (image == null) throw new AdaptException("No images: open one, or name image files or folders.");
				inputs = List.of(new AdaptImage(image.getTitle(), image, null));
			}
			else inputs = AdaptInputs.open(paths, note -> IJ.log("SANA-SR adapt: " + note));
		}
		catch (final IllegalArgumentException | AdaptException e) {
			Ij1Host.fail(cmd, e.getMessage());
			return;
		}
		IJ.resetEscape();
		Ij1Host.withPluginClassLoader(() -> {
			try {
				final AdaptResult r = new ModelAdapter().log(IJ::log).adapt(inputs, options, Ij1Host.progress("SANA-SR adapt"));
				p.record(cmd);
				IJ.log("SANA-SR adapt: " + r.message());
				if (!Ij1Host.noGui()) IJ.showMessage(Ij1Host.TITLE, r.message());
			}
			catch (final RestoreException e) {
				Ij1Host.fail(cmd, e.getMessage());
			}
			catch (final RuntimeException | LinkageError e) {
				IJ.log("SANA-SR internal error: " + e);
				for (final StackTraceElement el : e.getStackTrace())
					IJ.log("    at " + el);
				Ij1Host.fail(cmd, "Internal error (please report, details in the Log window): " + e);
			}
			finally {
				Ij1Host.clearProgress();
			}
		});
	}
}
