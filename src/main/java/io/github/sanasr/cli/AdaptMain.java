package io.github.sanasr.cli;

import io.github.sanasr.adapt.AdaptException;
import io.github.sanasr.adapt.AdaptImage;
import io.github.sanasr.adapt.AdaptInputs;
import io.github.sanasr.adapt.AdaptOptions;
import io.github.sanasr.adapt.AdaptResult;
import io.github.sanasr.adapt.Degradation;
import io.github.sanasr.adapt.ModelAdapter;
import io.github.sanasr.command.AdaptParameters;
import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.core.RestoreException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code sana-sr adapt IMAGES_OR_FOLDERS... --name NAME [options]}: the command line host of
 * {@link ModelAdapter}. Thin: parses, opens the images, prints progress, and turns Ctrl-C into a cancel that
 * leaves no model folder. Exit status: 0 a model was written, 1 no gain on the images (nothing written),
 * 2 usage error, bad input, or cancelled.
 */
final class AdaptMain {

	static final String USAGE = String.join("\n",
		"Usage: sana-sr adapt IMAGES_OR_FOLDERS... --name NAME [options]",
		"",
		"Adapts a model to your own images (self-supervised LoRA fine-tuning on the CPU) and writes it as a new",
		"model folder that every command then finds by name: sana-sr IN --model NAME --output OUT.",
		"Each plane of each image is a target; its input is the x4 downscale under --degradation.",
		"",
		"Options:",
		"  --name NAME                 the new model's name (a folder name)",
		"  --base MODEL                model to adapt (default " + AdaptParameters.DEFAULT_BASE + ")",
		"  --minutes M                 time budget (default " + fmt(AdaptParameters.DEFAULT_MINUTES) + ")",
		"  --degradation binning|bicubic  how inputs are made (default binning: area mean, as camera binning)",
		"  --noise auto|none           add Poisson-Gaussian noise estimated from the images (default none)",
		"  --models-dir DIR            where the model goes (default " + AdaptParameters.MODELS_DIR_HELP_DEFAULT + ")",
		"  --overwrite                 replace a model of the same name",
		"  advanced: --steps N (stop after N steps), --seed N, --learning-rate X, --batch N",
		"",
		"Held-out: 15 % of the patches. If the adapted model does not beat the base on them, it says",
		"'" + ModelAdapter.NO_GAIN + "' and writes nothing (exit status 1). Ctrl-C cancels and leaves no model folder.");

	private AdaptMain() {}

	private static String fmt(final double v) {
		return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
	}

	static int run(final List<String> args, final PrintStream out, final PrintStream err) {
		if (args.contains("--help") || args.contains("-h")) {
			out.println(USAGE);
			return SanaSrMain.OK;
		}
		final AdaptOptions options;
		final List<Path> inputs = new ArrayList<>();
		try {
			String name = null, base = null, degradation = AdaptParameters.DEFAULT_DEGRADATION,
				noise = AdaptParameters.DEFAULT_NOISE, modelsDir = null;
			double minutes = AdaptParameters.DEFAULT_MINUTES, lr = AdaptOptions.DEFAULT_LEARNING_RATE;
			int steps = 0, batch = AdaptOptions.DEFAULT_BATCH;
			long seed = 1;
			boolean overwrite = false;
			for (int i = 0; i < args.size(); i++) {
				final String a = args.get(i);
				switch (a) {
					case "--name" -> name = value(args, ++i, a);
					case "--base", "--model" -> base = value(args, ++i, a);
					case "--minutes" -> minutes = number(value(args, ++i, a), a);
					case "--degradation" -> degradation = value(args, ++i, a);
					case "--noise" -> noise = value(args, ++i, a);
					case "--models-dir" -> modelsDir = value(args, ++i, a);
					case "--overwrite" -> overwrite = true;
					case "--steps" -> steps = (int) number(value(args, ++i, a), a);
					case "--seed" -> seed = (long) number(value(args, ++i, a), a);
					case "--learning-rate" -> lr = number(value(args, ++i, a), a);
					case "--batch" -> batch = (int) number(value(args, ++i, a), a);
					default -> {
						if (a.startsWith("--")) throw new IllegalArgumentException("unknown option " + a);
						inputs.add(Paths.get(a));
					}
				}
			}
			if (name == null) throw new IllegalArgumentException("--name NAME is required: what to call the new model");
			if (inputs.isEmpty()) throw new IllegalArgumentException(
				"No images given: name image files or folders to adapt the model to.");
			options = AdaptParameters.options(name, base, minutes, degradation, noise, modelsDir, overwrite)
				.withTraining(lr, batch, steps, 0, AdaptOptions.DEFAULT_PATIENCE, seed);
		}
		catch (final IllegalArgumentException e) {
			err.println("sana-sr adapt: " + e.getMessage());
			err.println("Try: sana-sr adapt --help");
			return SanaSrMain.UNUSABLE;
		}
		final List<AdaptImage> images;
		try {
			images = AdaptInputs.open(inputs, note -> out.println("sana-sr adapt: " + note));
		}
		catch (final AdaptException e) {
			err.println("sana-sr adapt: " + e.getMessage());
			return SanaSrMain.UNUSABLE;
		}
		final Cancel cancel = new Cancel(out, err);
		final Thread hook = new Thread(cancel::interrupted, "sana-sr adapt: Ctrl-C");
		Runtime.getRuntime().addShutdownHook(hook);
		try {
			out.println("sana-sr adapt: " + images.size() + " image(s), base " + options.base() + ", " +
				fmt(options.minutes()) + " min budget, " + options.degradation().key() + (options.estimateNoise()
					? " + estimated noise" : "") + " -> " + ModelAdapter.target(options));
			final AdaptResult r = new ModelAdapter().log(s -> {}).adapt(images, options, cancel);
			cancel.finish();
			out.println("sana-sr adapt: " + r.message());
			if (r.written()) out.println("Use it: sana-sr IMAGE --model " + r.name() + " --output DIR");
			return r.written() ? SanaSrMain.OK : SanaSrMain.SOME_FAILED;
		}
		catch (final RestoreCancelledException e) {
			cancel.finish();
			err.println("sana-sr adapt: cancelled; no model was written.");
			return SanaSrMain.UNUSABLE;
		}
		catch (final RestoreException e) {
			cancel.finish();
			err.println("sana-sr adapt: " + e.getMessage());
			return SanaSrMain.UNUSABLE;
		}
		finally {
			cancel.done.countDown();
			try {
				Runtime.getRuntime().removeShutdownHook(hook);
			}
			catch (final IllegalStateException e) {
				// shutting down already (Ctrl-C): the hook is running
			}
		}
	}

	private static String value(final List<String> args, final int i, final String option) {
		if (i >= args.size() || args.get(i).startsWith("--")) throw new IllegalArgumentException(option + " needs a value");
		return args.get(i);
	}

	private static double number(final String v, final String option) {
		try {
			return Double.parseDouble(v);
		}
		catch (final NumberFormatException e) {
			throw new IllegalArgumentException(option + " needs a number, not '" + v + "'");
		}
	}

	/** Progress on the terminal (a bar with the held-out gain) or as lines; Ctrl-C sets the cancel flag. */
	private static final class Cancel implements ProgressListener {

		final CountDownLatch done = new CountDownLatch(1);
		private final PrintStream out, err;
		private final boolean bar = "bar".equals(System.getProperty("sanasr.progress"));
		private volatile boolean cancelled;
		private long lastLine;
		private boolean drawn;

		Cancel(final PrintStream out, final PrintStream err) {
			this.out = out;
			this.err = err;
		}

		/** The shutdown hook: ask the run to stop, and wait until it has removed its temporary files. */
		void interrupted() {
			cancelled = true;
			try {
				done.await(60, TimeUnit.SECONDS);
			}
			catch (final InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}

		@Override
		public boolean isCancelled() {
			return cancelled;
		}

		@Override
		public synchronized void progress(final long step, final long total, final String message) {
			final long now = System.nanoTime();
			if (bar) {
				final int width = 30, fill = total > 0 ? (int) Math.min(width, width * step / total) : 0;
				err.print("\r[" + "#".repeat(fill) + "-".repeat(width - fill) + "] " + message + "   ");
				err.flush();
				drawn = true;
			}
			else if (now - lastLine > 10_000_000_000L || step == 0) {
				lastLine = now;
				out.println(String.format(Locale.ROOT, "sana-sr adapt: %s", message));
				out.flush();
			}
		}

		synchronized void finish() {
			if (drawn) {
				err.print("\r" + " ".repeat(80) + "\r");
				err.flush();
			}
		}
	}
}
