package io.github.sanasr.ij1;

import static io.github.sanasr.command.CommandParameters.CONSISTENCY;
import static io.github.sanasr.command.CommandParameters.DEVICE;
import static io.github.sanasr.command.CommandParameters.FIDELITY_MAP;
import static io.github.sanasr.command.CommandParameters.FLOAT32;
import static io.github.sanasr.command.CommandParameters.HIGH_PERCENTILE;
import static io.github.sanasr.command.CommandParameters.LOW_PERCENTILE;
import static io.github.sanasr.command.CommandParameters.MODEL;
import static io.github.sanasr.command.CommandParameters.PRECISION;
import static io.github.sanasr.command.CommandParameters.PROMPT;
import static io.github.sanasr.command.CommandParameters.SCALE;
import static io.github.sanasr.command.CommandParameters.TILE;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.plugin.PlugIn;
import io.github.sanasr.command.CommandParameters;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;
import io.github.sanasr.core.Restorer;

/**
 * Plugins › SANA-SR › Super-resolve (SANA-SR) in plain ImageJ 1.x: the counterpart of
 * {@link io.github.sanasr.command.SuperResolveCommand}, with the same parameters ({@link CommandParameters#SINGLE}),
 * macro keys and validation, handing the active image to the same {@link Restorer}. Listed in the
 * {@code plugins.config} of the ImageJ 1.x jar ({@code scripts/install-imagej1.sh}); Fiji's jar has none.
 * {@code run("Super-resolve (SANA-SR)", "model=sana-sr-compact-x4 scale=4 device=cpu fidelity_map=true");}
 */
public class SuperResolvePlugin implements PlugIn {

	static final String NOTE = "Generative super-resolution: the output is computed, not measured.";

	@Override
	public void run(final String arg) {
		final String cmd = CommandParameters.SINGLE_COMMAND;
		final ImagePlus image = WindowManager.getCurrentImage();
		if (image == null) {
			Ij1Host.fail(cmd, "No image: open one first.");
			return;
		}
		final Ij1Parameters p;
		final RestoreOptions options;
		try {
			// no dialog without ImageJ's window (-batch): it would wait for ever; defaults then, as in Fiji headless
			final String macro = Ij1Host.noGui() && Ij1Parameters.macroOptions() == null ? ""
				: Ij1Parameters.macroOptions();
			p = macro != null ? Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE, macro)
				: Ij1Parameters.fromDialog(cmd, CommandParameters.SINGLE, NOTE + " Input: " + image.getTitle());
			if (p == null) return; // the person cancelled the dialog
			options = restoreOptions(p);
		}
		catch (final IllegalArgumentException e) {
			Ij1Host.fail(cmd, e.getMessage());
			return;
		}
		IJ.resetEscape(); // an old Esc must not cancel this run
		Ij1Host.withPluginClassLoader(() -> {
			try (Restorer restorer = new Restorer().log(IJ::log)) {
				final RestoreResult r = restorer.restore(image, options, Ij1Host.progress("SANA-SR " + image.getTitle()));
				p.record(cmd);
				// in the order Fiji shows the SciJava command's outputs: the result, then the fidelity map
				r.image().show();
				r.fidelityMap().ifPresent(ImagePlus::show);
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

	/** The options the values give, validated as in every host; IllegalArgumentException says what is wrong. */
	static RestoreOptions restoreOptions(final Ij1Parameters p) {
		return CommandParameters.restoreOptions(p.string(MODEL), p.integer(SCALE), p.string(TILE), p.choice(DEVICE),
			p.choice(PRECISION), p.string(PROMPT), p.bool(FIDELITY_MAP), p.bool(CONSISTENCY), p.bool(FLOAT32),
			p.number(LOW_PERCENTILE), p.number(HIGH_PERCENTILE));
	}
}
