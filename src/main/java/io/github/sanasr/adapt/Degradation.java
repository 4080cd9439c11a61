package io.github.sanasr.adapt;

import java.util.Locale;

/** How an adaptation makes each model input from a target plane. */
public enum Degradation {
	/** Area mean over scale x scale blocks: what binning on a camera measures (the default for microscopy). */
	BINNING(new BinningDownscaler()),
	/** Antialiased bicubic (MATLAB imresize), the classic super-resolution benchmark degradation. */
	BICUBIC(new BicubicDownscaler());

	private final Downscaler downscaler;

	Degradation(final Downscaler d) {
		downscaler = d;
	}

	float[] shrink(final float[] plane, final int width, final int height, final int factor) {
		return downscaler.shrink(plane, width, height, factor);
	}

	double keptNoiseVariance(final int factor) {
		return downscaler.keptNoiseVariance(factor);
	}

	public String key() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static Degradation parse(final String s) {
		if (s != null) for (final Degradation d : values())
			if (d.key().equals(s.trim().toLowerCase(Locale.ROOT))) return d;
		throw new IllegalArgumentException("degradation must be binning or bicubic, not '" + s + "'");
	}
}
