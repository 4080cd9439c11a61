package io.github.sanasr.adapt;

import io.github.sanasr.core.RestoreOptions;

import java.nio.file.Path;

/**
 * What an adaptation needs besides the images. {@code modelsDir} null means the default user folder
 * ({@link io.github.sanasr.model.ModelRegistry#userModelsDir()}). {@code maxSteps} 0 means: until the minutes
 * are spent or the held-out score stops improving; {@code evalEvery} 0 means about 15 validations over the
 * minutes.
 */
public record AdaptOptions(String name, String base, double minutes, Degradation degradation, boolean estimateNoise,
	Path modelsDir, boolean overwrite, double learningRate, int batch, int lrPatch, int maxSteps, int evalEvery,
	int patience, int maxPatches, long seed, double lowPercentile, double highPercentile)
{
	public static final double DEFAULT_MINUTES = 5, DEFAULT_LEARNING_RATE = 2e-3;
	public static final int DEFAULT_BATCH = 8, DEFAULT_PATCH = 32, DEFAULT_PATIENCE = 6, DEFAULT_MAX_PATCHES = 2000;

	public AdaptOptions {
		if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) throw new IllegalArgumentException(
			"name must be a folder name of letters, digits, '.', '_' and '-' (starting with a letter or digit), not '" +
				name + "'");
		if (base == null || base.isBlank()) base = RestoreOptions.DEFAULT_MODEL;
		if (!(minutes > 0) || minutes > 24 * 60) throw new IllegalArgumentException(
			"minutes must be more than 0 and at most 1440, not " + minutes);
		if (degradation == null) degradation = Degradation.BINNING;
		if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive");
		if (batch < 1 || lrPatch < 1 || maxPatches < 2) throw new IllegalArgumentException("batch, patch and max patches must be positive");
		if (!(lowPercentile >= 0 && highPercentile <= 100 && lowPercentile < highPercentile)) throw new IllegalArgumentException(
			"percentiles must satisfy 0 <= low < high <= 100");
	}

	/** The defaults of everything but the name. */
	public static AdaptOptions of(final String name) {
		return new AdaptOptions(name, RestoreOptions.DEFAULT_MODEL, DEFAULT_MINUTES, Degradation.BINNING, false, null,
			false, DEFAULT_LEARNING_RATE, DEFAULT_BATCH, DEFAULT_PATCH, 0, 0, DEFAULT_PATIENCE, DEFAULT_MAX_PATCHES, 1,
			0.1, 99.9);
	}

	public AdaptOptions withBase(final String b) {
		return new AdaptOptions(name, b, minutes, degradation, estimateNoise, modelsDir, overwrite, learningRate, batch,
			lrPatch, maxSteps, evalEvery, patience, maxPatches, seed, lowPercentile, highPercentile);
	}

	public AdaptOptions withMinutes(final double m) {
		return new AdaptOptions(name, base, m, degradation, estimateNoise, modelsDir, overwrite, learningRate, batch,
			lrPatch, maxSteps, evalEvery, patience, maxPatches, seed, lowPercentile, highPercentile);
	}

	public AdaptOptions withDegradation(final Degradation d, final boolean noise) {
		return new AdaptOptions(name, base, minutes, d, noise, modelsDir, overwrite, learningRate, batch, lrPatch,
			maxSteps, evalEvery, patience, maxPatches, seed, lowPercentile, highPercentile);
	}

	public AdaptOptions withModelsDir(final Path dir, final boolean over) {
		return new AdaptOptions(name, base, minutes, degradation, estimateNoise, dir, over, learningRate, batch, lrPatch,
			maxSteps, evalEvery, patience, maxPatches, seed, lowPercentile, highPercentile);
	}

	/** Training details (tests and benchmarks). */
	public AdaptOptions withTraining(final double lr, final int b, final int steps, final int every, final int pat,
		final long s)
	{
		return new AdaptOptions(name, base, minutes, degradation, estimateNoise, modelsDir, overwrite, lr, b, lrPatch,
			steps, every, pat, maxPatches, s, lowPercentile, highPercentile);
	}
}
