package io.github.sanasr.adapt;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.model.ModelDescriptor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code adaptable} entry of a model's descriptor (written by {@code python -m sanasr.adaptable}): a second
 * TorchScript file with LoRA adapters (B = 0) on the listed targets, made from the shipped file whose SHA-256
 * it names. Parameter names: {@code <target>.base.weight} (frozen), {@code <target>.lora_A.weight},
 * {@code <target>.lora_B.weight}; merged weight = base + scaling * B @ A.
 */
record AdaptableForm(Path file, String sha256, String baseSha256, int rank, double scaling, List<String> targets) {

	static final String KEY = "adaptable";

	static AdaptableForm of(final ModelDescriptor base) throws AdaptException {
		final JsonObject json = base.json();
		final JsonElement e = json.get(KEY);
		final JsonElement precision = json.get("precision");
		if ((e == null || !e.isJsonObject()) && precision != null && !"float32".equals(precision.getAsString()))
			throw new AdaptException("The model " + base.name() + " runs in " + precision.getAsString() + " and cannot be " +
				"adapted; adapt its float32 model (e.g. " + RestoreOptions.DEFAULT_MODEL + ") instead.");
		if (e == null || !e.isJsonObject()) throw new AdaptException("The model " + base.name() + " " + base.version() +
			" (" + base.descriptorFile() + ") has no adaptable form. Make it with: scripts/make-adaptable.sh " +
			base.folder() + " (Debian's python3-torch), or choose another base model.");
		final JsonObject a = e.getAsJsonObject();
		try {
			final List<String> targets = new ArrayList<>();
			a.getAsJsonArray("targets").forEach(t -> targets.add(t.getAsString()));
			final String file = a.get("file").getAsString();
			if (file.contains("/") || file.contains("\\")) throw new AdaptException(base.descriptorFile() +
				": adaptable.file must be a file name inside the model folder");
			final AdaptableForm f = new AdaptableForm(base.folder().resolve(file), a.get("sha256").getAsString(),
				a.get("base_sha256").getAsString(), a.get("rank").getAsInt(), a.get("scaling").getAsDouble(), targets);
			if (targets.isEmpty()) throw new AdaptException(base.descriptorFile() + ": adaptable.targets is empty");
			return f;
		}
		catch (final RuntimeException ex) {
			throw new AdaptException(base.descriptorFile() + ": the adaptable entry is incomplete (" + ex + "). " +
				"Remake it with scripts/make-adaptable.sh " + base.folder(), ex);
		}
	}

	/** Refuses a stale or damaged adaptable file before any work. */
	void check(final ModelDescriptor base) throws AdaptException {
		if (!baseSha256.equalsIgnoreCase(base.sha256())) throw new AdaptException("The adaptable form of " +
			base.name() + " was made from another version of " + base.fileName() + " (SHA-256 " + shortSha(baseSha256) +
			", the shipped file is " + shortSha(base.sha256()) + "). Remake it with scripts/make-adaptable.sh " +
			base.folder());
		if (!Files.isRegularFile(file)) throw new AdaptException("The adaptable file " + file + " named by " +
			base.descriptorFile() + " is missing. Remake it with scripts/make-adaptable.sh " + base.folder());
		final String actual = sha256(file);
		if (!actual.equalsIgnoreCase(sha256)) throw new AdaptException("Checksum mismatch: " + file + " has SHA-256 " +
			shortSha(actual) + " but " + base.descriptorFile() + " says " + shortSha(sha256) +
			". Reinstall the model or remake its adaptable form with scripts/make-adaptable.sh.");
	}

	static String shortSha(final String s) {
		return s.length() > 12 ? s.substring(0, 12) + "..." : s;
	}

	static String sha256(final Path file) throws AdaptException {
		try (InputStream in = Files.newInputStream(file)) {
			final MessageDigest md = MessageDigest.getInstance("SHA-256");
			final byte[] buf = new byte[1 << 16];
			for (int n; (n = in.read(buf)) > 0;)
				md.update(buf, 0, n);
			return TrainingPairs.hex(md.digest());
		}
		catch (final IOException e) {
			throw new AdaptException("Cannot read " + file + ": " + e.getMessage(), e);
		}
		catch (final NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
