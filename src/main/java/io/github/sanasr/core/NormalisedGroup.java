package io.github.sanasr.core;

/**
 * One channel group of one plane on its way through the model: the measured components, their normalisation
 * fitted on them, and the normalised planes the model reads. {@link #mapBack} turns the model's output into
 * the image's intensities. The same for a whole plane and for a band of one.
 */
final class NormalisedGroup {

	final int[] group;
	final float[][] measured;
	final Normalizer normalizer;
	final float[][] normalised;

	private NormalisedGroup(final int[] group, final float[][] measured, final Normalizer normalizer,
		final float[][] normalised)
	{
		this.group = group;
		this.measured = measured;
		this.normalizer = normalizer;
		this.normalised = normalised;
	}

	/** @param plane every component of the plane, as {@link PlaneSource#read} gives them */
	static NormalisedGroup of(final float[][] plane, final int[] group, final RestoreOptions options) {
		final float[][] in = new float[group.length][];
		for (int k = 0; k < group.length; k++)
			in[k] = plane[group[k]];
		final Normalizer nz = Normalizer.fit(in, options.lowPercentile(), options.highPercentile());
		final float[][] normed = new float[group.length][];
		for (int k = 0; k < group.length; k++)
			normed[k] = nz.forward(in[k]);
		return new NormalisedGroup(group, in, nz, normed);
	}

	/**
	 * The model's output back in the input's intensities, in place, NaN where the input pixel under it was
	 * not finite; each component stored at its place in {@code result}, its intensity range in {@code ranges}.
	 */
	void mapBack(final float[][] up, final int w, final int h, final int scale, final float[][] result,
		final double[] ranges)
	{
		for (int k = 0; k < group.length; k++) {
			normalizer.inverse(up[k]);
			if (normalizer.nonFinite() > 0) maskNonFinite(up[k], measured[k], w, h, scale);
			result[group[k]] = up[k];
			ranges[group[k]] = normalizer.range();
		}
	}

	private static void maskNonFinite(final float[] out, final float[] in, final int w, final int h, final int s) {
		final int ow = w * s;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				if (!Float.isFinite(in[y * w + x])) for (int dy = 0; dy < s; dy++)
					java.util.Arrays.fill(out, (y * s + dy) * ow + x * s, (y * s + dy) * ow + x * s + s, Float.NaN);
	}
}
