package io.github.sanasr.core;

import io.github.sanasr.model.CpuFeatures;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.PrecisionChooser;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A restoration's options resolved against its model: which model file runs ({@link PrecisionChooser}: the
 * named model or its variant in the other precision), the prompt's index in the model's list (the model's
 * default when none was given) and the output scale, checked against the model's native scale. Every entry
 * point of {@link Restorer} starts here, so they all refuse the same options with the same words and run the
 * same file.
 */
record ResolvedOptions(PrecisionChooser.Choice choice, int prompt, int scale, RestoreOptions options) {

	/**
	 * @param cpu what this host's CPU can do (decides precision=auto)
	 * @param onGpu whether the model will run on a GPU (precision=auto keeps float32 there)
	 */
	static ResolvedOptions of(final ModelRegistry registry, final CpuFeatures cpu, final boolean onGpu,
		final RestoreOptions options) throws RestoreException
	{
		if (options == null) throw new RestoreException("No options given");
		final PrecisionChooser.Choice choice = new PrecisionChooser(registry, cpu).choose(
			registry.resolve(options.model()), options.precision(), onGpu);
		final ModelDescriptor d = choice.model();
		if (options.scale() > d.scale()) throw new RestoreException("Scale " + options.scale() +
			" is larger than the model's native x" + d.scale() + "; choose a scale from 2 to " + d.scale());
		return new ResolvedOptions(choice, d.promptIndex(options.prompt()), options.scale(), options);
	}

	/** The model that runs (the named one or its variant); its file, name and SHA-256 go into provenance. */
	ModelDescriptor model() {
		return choice.model();
	}

	int nativeScale() {
		return model().scale();
	}

	String promptName() {
		return model().prompts().get(prompt);
	}

	/**
	 * {@link ModelDescriptor#FIDELITY} or {@link ModelDescriptor#REALISM}: what the prompt asks of the network.
	 * Not part of the {@link #identity()}: it is the descriptor's label for the prompt, which the model file's
	 * SHA-256 and the prompt already fix; a variant must label its prompts alike ({@link PrecisionChooser}).
	 */
	String promptMode() {
		return model().promptModes().get(promptName());
	}

	/**
	 * The provenance entries by which a rerun recognises an output as made by these options: the SHA-256 of
	 * the model file that runs, the precision it runs in (what "auto" resolved to on this host), the resolved
	 * prompt, and {@link RestoreOptions#pixelOptions()}. The restoration records them under the same keys, so
	 * an output's sidecar can be compared with a new run's options key by key.
	 */
	Map<String, String> identity() {
		final Map<String, String> m = new LinkedHashMap<>();
		m.put("model_sha256", model().sha256());
		m.put("precision", model().precision());
		m.put("prompt", promptName());
		m.putAll(options.pixelOptions());
		return m;
	}
}
