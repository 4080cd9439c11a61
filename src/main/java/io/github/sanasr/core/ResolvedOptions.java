package io.github.sanasr.core;

import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A restoration's options resolved against its model: the model's descriptor, the prompt's index in the
 * model's list (the model's default when none was given) and the output scale, checked against the model's
 * native scale. Every entry point of {@link Restorer} starts here, so they all refuse the same options with the
 * same words.
 */
record ResolvedOptions(ModelDescriptor model, int prompt, int scale, RestoreOptions options) {

	static ResolvedOptions of(final ModelRegistry registry, final RestoreOptions options) throws RestoreException {
		if (options == null) throw new RestoreException("No options given");
		final ModelDescriptor d = registry.resolve(options.model());
		if (options.scale() > d.scale()) throw new RestoreException("Scale " + options.scale() +
			" is larger than the model's native x" + d.scale() + "; choose a scale from 2 to " + d.scale());
		return new ResolvedOptions(d, d.promptIndex(options.prompt()), options.scale(), options);
	}

	int nativeScale() {
		return model.scale();
	}

	String promptName() {
		return model.prompts().get(prompt);
	}

	/**
	 * The provenance entries by which a rerun recognises an output as made by these options: the model's
	 * SHA-256, the resolved prompt, and {@link RestoreOptions#pixelOptions()}. The restoration records them
	 * under the same keys, so an output's sidecar can be compared with a new run's options key by key.
	 */
	Map<String, String> identity() {
		final Map<String, String> m = new LinkedHashMap<>();
		m.put("model_sha256", model.sha256());
		m.put("prompt", promptName());
		m.putAll(options.pixelOptions());
		return m;
	}
}
