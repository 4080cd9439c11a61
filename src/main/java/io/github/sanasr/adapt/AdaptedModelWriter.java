package io.github.sanasr.adapt;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.ZooModel;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.github.sanasr.model.ModelDescriptor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes an adapted model folder: the shipped TorchScript file with the trained adapters merged into its
 * weights (W + scaling * B @ A, so it runs exactly as fast as the base), its descriptor and licence. Everything
 * goes into a hidden temporary folder beside the target, which is renamed only when complete: a cancelled or
 * failed adaptation leaves no model folder.
 */
final class AdaptedModelWriter {

	private AdaptedModelWriter() {}

	/** {@code <modelsDir>/.<name>.part-<random>}, created. */
	static Path temporaryFolder(final Path modelsDir, final String name) throws AdaptException {
		try {
			Files.createDirectories(modelsDir);
			return Files.createTempDirectory(modelsDir, "." + name + ".part-");
		}
		catch (final IOException e) {
			throw new AdaptException("Cannot write into " + modelsDir + ": " + e.getMessage() +
				". Choose another models folder (--models-dir).", e);
		}
	}

	/** Merges the adapters into the base model's weights and writes the TorchScript file {@code out}. */
	static void writeMerged(final ModelDescriptor base, final AdaptableForm form, final Map<String, float[]> values,
		final Map<String, long[]> shapes, final Path out) throws AdaptException
	{
		try (ZooModel<NDList, NDList> model = LoraTrainer.load(base.modelFile(), true, Device.cpu())) {
			final var params = model.getBlock().getParameters();
			for (final String target : form.targets()) {
				final Parameter w = params.get(target + ".weight");
				final float[] a = values.get(target + ".lora_A.weight"), b = values.get(target + ".lora_B.weight");
				if (w == null || a == null || b == null) throw new AdaptException("The adaptable form of " + base.name() +
					" does not match its base file at '" + target + "'. Remake it with scripts/make-adaptable.sh.");
				final long[] as = shapes.get(target + ".lora_A.weight");
				final int rank = (int) as[0];
				final float[] merged = merge(w.getArray().toFloatArray(), a, b, rank, form.scaling());
				w.freeze(true);
				w.getArray().set(FloatBuffer.wrap(merged));
			}
			final PtSymbolBlock block = (PtSymbolBlock) model.getBlock();
			JniUtils.enableInferenceMode(block);
			try (OutputStream os = Files.newOutputStream(out)) {
				JniUtils.writeModule(block, os, false);
			}
		}
		catch (final IOException e) {
			throw new AdaptException("Cannot write " + out + ": " + e.getMessage(), e);
		}
	}

	/** W + scaling * B @ A, with A [rank, k] and B [out, rank] in row-major order and W [out, k]. */
	static float[] merge(final float[] w, final float[] a, final float[] b, final int rank, final double scaling) {
		final int k = a.length / rank, out = b.length / rank;
		if (w.length != (long) out * k) throw new IllegalArgumentException("shapes do not match for a merge");
		final float[] m = w.clone();
		for (int o = 0; o < out; o++)
			for (int r = 0; r < rank; r++) {
				final double s = scaling * b[o * rank + r];
				if (s == 0) continue;
				for (int j = 0; j < k; j++)
					m[o * k + j] += (float) (s * a[r * k + j]);
			}
		return m;
	}

	static void writeText(final Path file, final String text) throws AdaptException {
		try {
			Files.writeString(file, text, StandardCharsets.UTF_8);
		}
		catch (final IOException e) {
			throw new AdaptException("Cannot write " + file + ": " + e.getMessage(), e);
		}
	}

	static String json(final JsonObject o) {
		return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues()
			.create().toJson(o) + "\n";
	}

	/** Renames the finished temporary folder to the target, replacing an existing one only when asked to. */
	static void publish(final Path temp, final Path target, final boolean overwrite) throws AdaptException {
		try {
			Path old = null;
			if (Files.exists(target)) {
				if (!overwrite) throw new AdaptException("A model named " + target.getFileName() + " already exists in " +
					target.getParent() + ". Choose another name, or overwrite it (--overwrite, overwrite=true).");
				old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
				Files.move(target, old.resolve("model"), StandardCopyOption.ATOMIC_MOVE);
			}
			try {
				Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (final AtomicMoveNotSupportedException e) {
				Files.move(temp, target);
			}
			if (old != null) deleteTree(old);
		}
		catch (final IOException e) {
			throw new AdaptException("Cannot move the new model into " + target + ": " + e.getMessage(), e);
		}
	}

	/** Removes a folder and what is in it; quietly, for clean-up after a cancel or failure. */
	static void deleteTree(final Path dir) {
		if (dir == null || !Files.exists(dir)) return;
		try (Stream<Path> s = Files.walk(dir)) {
			s.sorted(Comparator.reverseOrder()).forEach(p -> {
				try {
					Files.deleteIfExists(p);
				}
				catch (final IOException e) {
					// best effort: what remains is a hidden .part folder, which no registry lists
				}
			});
		}
		catch (final IOException e) {
			// as above
		}
	}
}
