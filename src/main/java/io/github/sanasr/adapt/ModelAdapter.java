package io.github.sanasr.adapt;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions.DeviceChoice;
import io.github.sanasr.model.DeviceChooser;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The core of "Adapt model to my images": self-supervised pairs from the user's images ({@link TrainingPairs}),
 * LoRA training of the base model's adaptable form through DJL ({@link LoraTrainer}) with early stopping on
 * held-out patches, and, only when the held-out PSNR beats the base model's, a new model folder
 * ({@link AdaptedModelWriter}) that every host then finds by name. The hosts (SciJava command, ImageJ 1.x
 * plugin, command line) only collect the images and options.
 */
public final class ModelAdapter {

	private static final Logger LOG = Logger.getLogger(ModelAdapter.class.getName());
	/** A gain smaller than this is not a gain (held-out PSNR in dB). */
	static final double MIN_GAIN_DB = 0.01;
	public static final String NO_GAIN = "no gain on your images";

	private final ModelRegistry registry;
	private Consumer<String> log = LOG::info;

	public ModelAdapter() {
		this(new ModelRegistry());
	}

	public ModelAdapter(final ModelRegistry registry) {
		this.registry = registry;
	}

	public ModelAdapter log(final Consumer<String> sink) {
		log = sink == null ? s -> {} : sink;
		return this;
	}

	/** The folder a model of this name would be written to. */
	public static Path target(final AdaptOptions o) {
		final Path dir = o.modelsDir() != null ? o.modelsDir() : ModelRegistry.userModelsDir();
		return dir.toAbsolutePath().normalize().resolve(o.name());
	}

	public AdaptResult adapt(final List<AdaptImage> images, final AdaptOptions o, ProgressListener progress)
		throws RestoreException
	{
		if (progress == null) progress = ProgressListener.NONE;
		final long start = System.nanoTime();
		final long budget = (long) (o.minutes() * 60e9);
		final Path target = target(o);
		if (Files.exists(target) && !o.overwrite()) throw new AdaptException("A model named " + o.name() +
			" already exists in " + target.getParent() + ". Choose another name, or overwrite it (--overwrite, overwrite=true).");
		final ModelDescriptor base = registry.resolve(o.base());
		if (base.name().equals(o.name())) throw new AdaptException("Give the adapted model a name of its own, not the base " +
			"model's (" + base.name() + ").");
		final AdaptableForm form = AdaptableForm.of(base);
		form.check(base);
		final int prompt = base.promptIndex(null);
		if (o.lrPatch() % base.stride() != 0) throw new AdaptException("patch " + o.lrPatch() + " is not a multiple of the " +
			"model's stride " + base.stride());
		DeviceChooser.choose(DeviceChoice.CPU); // DJL settings (offline, threads) before the engine starts

		final int maxPatches = Math.min(o.maxPatches(), patchesThatFit(base, o));
		final TrainingPairs pairs = TrainingPairs.build(images, base.scale(), base.inputChannels(), o.lrPatch(),
			o.degradation(), o.estimateNoise(), o.lowPercentile(), o.highPercentile(), maxPatches, o.seed(), progress);
		log.accept(String.format(Locale.ROOT, "SANA-SR adapt: %d training and %d held-out patches from %d image(s); " +
			"base %s %s", pairs.train.size(), pairs.heldOut.size(), images.size(), base.name(), base.version()));

		Path temp = null;
		try (LoraTrainer trainer = new LoraTrainer(form.file(), o.learningRate())) {
			final HeldOut heldOut = new HeldOut(pairs, base.scale(), prompt);
			final double basePsnr = heldOut.psnr((x, n) -> trainer.predict(x, n, pairs.channels, pairs.lrPatch, prompt));
			progress.progress(0, 1, String.format(Locale.ROOT, "held-out PSNR of the base model %.2f dB", basePsnr));
			final Training run = train(trainer, pairs, heldOut, o, basePsnr, start, budget, prompt, progress);
			final List<String> changed = trainer.changedFrozenParameters();
			if (!changed.isEmpty()) throw new AdaptException("Internal error (please report): frozen weights changed " +
				"during training: " + changed.subList(0, Math.min(5, changed.size())));
			final double minutes = (System.nanoTime() - start) / 60e9;
			if (!(run.bestPsnr > basePsnr + MIN_GAIN_DB)) {
				final String msg = String.format(Locale.ROOT, "%s: the held-out PSNR did not beat the base model's " +
					"(%.2f dB, best %.2f dB after %d steps); no model was written.", NO_GAIN, basePsnr, run.bestPsnr, run.steps);
				log.accept("SANA-SR adapt: " + msg);
				return new AdaptResult(o.name(), null, basePsnr, run.bestPsnr, Double.NaN, run.steps, run.bestStep, minutes,
					pairs.train.size(), pairs.heldOut.size(), msg);
			}
			if (progress.isCancelled()) throw new RestoreCancelledException();
			temp = AdaptedModelWriter.temporaryFolder(target.getParent(), o.name());
			final String file = o.name() + ".pt";
			AdaptedModelWriter.writeMerged(base, form, run.best, trainer.adapterShapes(), temp.resolve(file));
			final double mergedPsnr;
			try (ZooModel<NDList, NDList> merged = LoraTrainer.load(temp.resolve(file), false, Device.cpu())) {
				mergedPsnr = heldOut.psnr((x, n) -> LoraTrainer.forward(merged.getBlock(), merged.getNDManager(), x, n,
					pairs.channels, pairs.lrPatch, prompt));
			}
			if (!(mergedPsnr > basePsnr + MIN_GAIN_DB)) {
				final String msg = String.format(Locale.ROOT, "%s: the merged model scores %.2f dB on the held-out " +
					"patches, the base %.2f dB; no model was written.", NO_GAIN, mergedPsnr, basePsnr);
				return new AdaptResult(o.name(), null, basePsnr, run.bestPsnr, mergedPsnr, run.steps, run.bestStep, minutes,
					pairs.train.size(), pairs.heldOut.size(), msg);
			}
			if (progress.isCancelled()) throw new RestoreCancelledException();
			final double totalMinutes = (System.nanoTime() - start) / 60e9;
			final JsonObject desc = descriptor(base, form, o, file, AdaptableForm.sha256(temp.resolve(file)), pairs, run,
				basePsnr, mergedPsnr, totalMinutes, trainer.adapterParameters());
			AdaptedModelWriter.writeText(temp.resolve("LICENSE.md"), licence(base, pairs));
			AdaptedModelWriter.writeText(temp.resolve(ModelRegistry.DESCRIPTOR), AdaptedModelWriter.json(desc));
			ModelDescriptor.read(temp.resolve(ModelRegistry.DESCRIPTOR)); // the plugin can read what it wrote
			AdaptedModelWriter.publish(temp, target, o.overwrite());
			temp = null;
			final String msg = String.format(Locale.ROOT, "wrote %s: held-out PSNR %.2f dB -> %.2f dB (%+.2f dB) in %d steps, " +
				"%.1f min", target, basePsnr, mergedPsnr, mergedPsnr - basePsnr, run.steps, totalMinutes);
			log.accept("SANA-SR adapt: " + msg);
			return new AdaptResult(o.name(), target, basePsnr, run.bestPsnr, mergedPsnr, run.steps, run.bestStep,
				totalMinutes, pairs.train.size(), pairs.heldOut.size(), msg);
		}
		catch (final OutOfMemoryError e) {
			throw new AdaptException("Not enough Java memory for the adaptation: raise the memory (Edit > Options > " +
				"Memory & Threads, or SANASR_JAVA_OPTS=-Xmx8g), or give fewer or smaller images.", e);
		}
		finally {
			AdaptedModelWriter.deleteTree(temp);
		}
	}

	/** Patches whose pairs take at most a quarter of the free Java heap. */
	private static int patchesThatFit(final ModelDescriptor base, final AdaptOptions o) {
		final long lr = (long) o.lrPatch() * o.lrPatch(), hr = lr * base.scale() * base.scale();
		final long bytes = 4L * base.inputChannels() * (2 * lr + hr) + 256;
		final Runtime rt = Runtime.getRuntime();
		final long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		return (int) Math.max(2, Math.min(Integer.MAX_VALUE, free / 4 / bytes));
	}

	/** What a training run found: steps done, and the adapters of the best held-out score. */
	private static final class Training {
		int steps, bestStep;
		double bestPsnr;
		Map<String, float[]> best;
	}

	private Training train(final LoraTrainer trainer, final TrainingPairs pairs, final HeldOut heldOut,
		final AdaptOptions o, final double basePsnr, final long start, final long budget, final int prompt,
		final ProgressListener progress) throws RestoreCancelledException
	{
		final Training run = new Training();
		run.bestPsnr = basePsnr;
		run.best = trainer.adapterValues();
		final Random rng = new Random(o.seed() * 7 + 3);
		final int c = pairs.channels, l = pairs.lrPatch, hp = l * pairs.scale;
		final int batch = Math.min(o.batch(), pairs.train.size());
		final float[] x = new float[batch * c * l * l], y = new float[batch * c * hp * hp];
		// stop early enough to merge, check and write within the minutes
		final long deadline = start + Math.max(budget / 2, budget - Math.min(30_000_000_000L, budget / 10));
		final long evalInterval = Math.max(1, budget / 15);
		long lastEval = System.nanoTime();
		int sinceBest = 0;
		double lossAvg = Double.NaN;
		while (true) {
			if (progress.isCancelled()) throw new RestoreCancelledException();
			final boolean outOfTime = System.nanoTime() > deadline;
			final boolean outOfSteps = o.maxSteps() > 0 && run.steps >= o.maxSteps();
			if (outOfTime || outOfSteps) break;
			for (int b = 0; b < batch; b++) {
				final TrainingPairs.Pair p = pairs.train.get(rng.nextInt(pairs.train.size()));
				final int flip = rng.nextInt(8);
				Dihedral.apply(pairs.freshInput(p, rng), c, l, flip, x, b * c * l * l);
				Dihedral.apply(p.hr, c, hp, flip, y, b * c * hp * hp);
			}
			final double loss = trainer.step(x, y, batch, c, l, pairs.scale, prompt);
			lossAvg = Double.isNaN(lossAvg) ? loss : 0.9 * lossAvg + 0.1 * loss;
			run.steps++;
			final boolean evalNow = o.evalEvery() > 0 ? run.steps % o.evalEvery() == 0
				: System.nanoTime() - lastEval >= evalInterval;
			final boolean last = System.nanoTime() > deadline || (o.maxSteps() > 0 && run.steps >= o.maxSteps());
			if (evalNow || last) {
				lastEval = System.nanoTime();
				final double psnr = heldOut.psnr((xs, n) -> trainer.predict(xs, n, c, l, prompt));
				if (psnr > run.bestPsnr) {
					run.bestPsnr = psnr;
					run.bestStep = run.steps;
					run.best = trainer.adapterValues();
					sinceBest = 0;
				}
				else sinceBest++;
				log.accept(String.format(Locale.ROOT, "SANA-SR adapt: step %d, loss %.4f, held-out %.2f dB (best %+.2f dB " +
					"over the base)", run.steps, lossAvg, psnr, run.bestPsnr - basePsnr));
				if (o.patience() > 0 && sinceBest >= o.patience()) break;
			}
			final long total = o.maxSteps() > 0 ? o.maxSteps()
				: Math.max(run.steps + 1, (long) (run.steps * (double) (deadline - start) / Math.max(1, System.nanoTime() - start)));
			progress.progress(run.steps, total, String.format(Locale.ROOT, "adapting: step %d, held-out %+.2f dB", run.steps,
				run.bestPsnr - basePsnr));
		}
		return run;
	}

	/** The held-out patches, evaluated as the restoration would see them (grey: the mean of the model's channels). */
	private static final class HeldOut {

		interface Model {
			float[] run(float[] x, int batch);
		}

		private final TrainingPairs pairs;
		private final int scale;

		HeldOut(final TrainingPairs pairs, final int scale, final int prompt) {
			this.pairs = pairs;
			this.scale = scale;
		}

		double psnr(final Model model) {
			final int c = pairs.channels, l = pairs.lrPatch, hp = l * scale, n = hp * hp;
			final List<TrainingPairs.Pair> list = pairs.heldOut;
			double se = 0;
			long count = 0;
			for (int i0 = 0; i0 < list.size(); i0 += 16) {
				final int b = Math.min(16, list.size() - i0);
				final float[] x = new float[b * c * l * l];
				for (int k = 0; k < b; k++)
					System.arraycopy(list.get(i0 + k).lr, 0, x, k * c * l * l, c * l * l);
				final float[] out = model.run(x, b);
				for (int k = 0; k < b; k++) {
					final TrainingPairs.Pair p = list.get(i0 + k);
					final int o = k * c * n;
					if (p.grey) {
						for (int i = 0; i < n; i++) {
							double m = 0;
							for (int ch = 0; ch < c; ch++)
								m += out[o + ch * n + i];
							final double d = m / c - p.hr[i];
							se += d * d;
						}
						count += n;
					}
					else {
						for (int i = 0; i < c * n; i++) {
							final double d = out[o + i] - p.hr[i];
							se += d * d;
						}
						count += (long) c * n;
					}
				}
			}
			return 10 * Math.log10(1.0 / Math.max(1e-12, se / count));
		}
	}

	private static JsonObject descriptor(final ModelDescriptor base, final AdaptableForm form, final AdaptOptions o,
		final String file, final String sha, final TrainingPairs pairs, final Training run, final double basePsnr,
		final double mergedPsnr, final double minutes, final int adapterParameters)
	{
		final JsonObject d = base.json();
		d.remove("adaptable");
		d.remove("metrics");
		d.remove("ablation");
		final String date = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
		d.addProperty("name", o.name());
		d.addProperty("version", base.version() + "-adapted");
		d.addProperty("description", o.name() + ": " + base.name() + " " + base.version() + " adapted to " +
			pairs.images.size() + " image(s) (" + o.degradation().key() + (o.estimateNoise() ? " + estimated noise" : "") +
			") on " + date.substring(0, 10));
		d.addProperty("file", file);
		d.addProperty("sha256", sha);
		final JsonObject a = new JsonObject();
		final JsonObject b = new JsonObject();
		b.addProperty("name", base.name());
		b.addProperty("version", base.version());
		b.addProperty("sha256", base.sha256());
		b.addProperty("adaptable_sha256", form.sha256());
		a.add("base", b);
		final JsonArray imgs = new JsonArray();
		for (final TrainingPairs.ImageRecord r : pairs.images) {
			final JsonObject i = new JsonObject();
			i.addProperty("name", r.name());
			i.addProperty("sha256", r.sha256());
			i.addProperty("sha256_of", r.sha256Of());
			i.addProperty("size", r.width() + "x" + r.height());
			i.addProperty("planes", r.planesUsed());
			if (o.estimateNoise()) {
				final JsonObject n = new JsonObject();
				n.addProperty("gain", r.noise().gain());
				n.addProperty("read_variance", r.noise().readVariance());
				n.addProperty("units", "the image's intensity units: variance = gain * intensity + read_variance");
				i.add("noise_estimate", n);
			}
			imgs.add(i);
		}
		a.add("images", imgs);
		a.addProperty("degradation", o.degradation().key());
		a.addProperty("noise", o.estimateNoise() ? "auto" : "none");
		a.addProperty("minutes", Math.round(minutes * 100) / 100.0);
		a.addProperty("minutes_budget", o.minutes());
		a.addProperty("steps", run.steps);
		a.addProperty("best_step", run.bestStep);
		a.addProperty("rank", form.rank());
		a.addProperty("learning_rate", o.learningRate());
		a.addProperty("batch", Math.min(o.batch(), pairs.train.size()));
		a.addProperty("patch", o.lrPatch() + " input px (" + o.lrPatch() * pairs.scale + " target px)");
		a.addProperty("train_patches", pairs.train.size());
		a.addProperty("held_out_patches", pairs.heldOut.size());
		a.addProperty("adapter_parameters", adapterParameters);
		a.addProperty("adapters", "merged into the weights (same speed as the base model)");
		a.addProperty("threads", Runtime.getRuntime().availableProcessors());
		final JsonObject p = new JsonObject();
		p.addProperty("base", round(basePsnr));
		p.addProperty("adapted", round(run.bestPsnr));
		p.addProperty("merged", round(mergedPsnr));
		p.addProperty("gain", round(mergedPsnr - basePsnr));
		p.addProperty("units", "dB on the held-out patches, in the normalised intensity range (robust percentiles " +
			o.lowPercentile() + "-" + o.highPercentile() + " of each input plane = 0-1)");
		a.add("held_out_psnr", p);
		a.addProperty("date", date);
		d.add("adaptation", a);
		return d;
	}

	private static double round(final double v) {
		return Math.round(v * 1000) / 1000.0;
	}

	private static String licence(final ModelDescriptor base, final TrainingPairs pairs) {
		final List<String> names = new ArrayList<>();
		pairs.images.forEach(r -> names.add("- " + r.name() + " (SHA-256 " + r.sha256() + ")"));
		return "# Licence of this adapted model\n\nThese weights are " + base.name() + " " + base.version() +
			" (see its LICENSE.md) with low-rank adapters trained on the user's own images:\n\n" +
			String.join("\n", names) + "\n\nThe terms of the base model's weights apply, together with whatever " +
			"terms apply to those images.\n";
	}

}
