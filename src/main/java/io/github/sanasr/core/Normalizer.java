package io.github.sanasr.core;

import java.util.Arrays;

/**
 * Maps a plane's intensities so that its robust low/high percentiles become 0 and 1 (the model's input
 * space), and back. NaN and infinite pixels are left out of the statistics and fed to the network as the
 * plane's median, so they never poison a tile; the caller puts NaN back at their place in the output. A
 * constant or empty plane gets range 1 instead of a division by zero.
 */
public final class Normalizer {

	private final double lowPercentile, highPercentile;
	private final double low, high, range;
	private final float fill;
	private final long nonFinite;

	private Normalizer(final double lowPercentile, final double highPercentile, final double low, final double high,
		final double range, final float fill, final long nonFinite)
	{
		this.lowPercentile = lowPercentile;
		this.highPercentile = highPercentile;
		this.low = low;
		this.high = high;
		this.range = range;
		this.fill = fill;
		this.nonFinite = nonFinite;
	}

	/** Statistics over all given arrays together (e.g. the R, G and B of one RGB plane). */
	public static Normalizer fit(final float[][] planes, final double lowPercentile, final double highPercentile) {
		long n = 0, bad = 0;
		for (final float[] p : planes)
			n += p.length;
		final float[] finite = new float[(int) Math.min(n, Integer.MAX_VALUE - 8)];
		int k = 0;
		for (final float[] p : planes)
			for (final float v : p) {
				if (Float.isFinite(v)) {
					if (k < finite.length) finite[k++] = v;
				}
				else bad++;
			}
		if (k == 0) return new Normalizer(lowPercentile, highPercentile, 0, 1, 1, 0, bad);
		final float[] sorted = Arrays.copyOf(finite, k);
		Arrays.sort(sorted);
		double lo = percentile(sorted, lowPercentile), hi = percentile(sorted, highPercentile);
		if (!(hi > lo)) {
			// mostly constant plane (e.g. sparse spots on zero): fall back to the full range, then to 1
			lo = sorted[0];
			hi = sorted[k - 1];
		}
		final double range = hi > lo ? hi - lo : 1;
		final float median = (float) ((percentile(sorted, 50) - lo) / range);
		return new Normalizer(lowPercentile, highPercentile, lo, hi, range, median, bad);
	}

	/** Linear interpolation between closest ranks (numpy's default). */
	static double percentile(final float[] sorted, final double p) {
		final double pos = p / 100 * (sorted.length - 1);
		final int i = (int) Math.floor(pos);
		if (i >= sorted.length - 1) return sorted[sorted.length - 1];
		final double f = pos - i;
		return sorted[i] + f * ((double) sorted[i + 1] - sorted[i]);
	}

	/** The normalised copy of a plane (non-finite pixels replaced by the median). */
	public float[] forward(final float[] plane) {
		final float[] out = new float[plane.length];
		for (int i = 0; i < plane.length; i++) {
			final float v = plane[i];
			out[i] = Float.isFinite(v) ? (float) ((v - low) / range) : fill;
		}
		return out;
	}

	/** Maps the model's output back to the input's intensities, in place. */
	public void inverse(final float[] plane) {
		for (int i = 0; i < plane.length; i++)
			plane[i] = (float) (low + plane[i] * range);
	}

	public double lowPercentile() { return lowPercentile; }
	public double highPercentile() { return highPercentile; }
	/** Intensity mapped to 0. */
	public double low() { return low; }
	/** Intensity mapped to 1 (for a constant plane: low + 1). */
	public double high() { return low + range; }
	/** The percentile value actually found (equal to low for a constant plane). */
	public double highValue() { return high; }
	public double range() { return range; }
	/** How many pixels were NaN or infinite. */
	public long nonFinite() { return nonFinite; }
}
