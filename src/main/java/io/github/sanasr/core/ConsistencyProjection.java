package io.github.sanasr.core;

/**
 * Makes an output exactly consistent with the measurement under the {@code binning} degradation: after the
 * projection, the mean of every {@code scale x scale} block of the output equals the input pixel under it.
 * It is the least-squares projection onto that set: each block is shifted by the same amount,
 * {@code out += nearest_upsample(in - area_down(out))}, which keeps all detail inside the block (the block's
 * deviations from its mean) and changes nothing in an output that is already consistent. It works on float
 * planes in the input's intensity units, before the conversion to the output type, so 8- and 16-bit outputs
 * are exact only up to their rounding (half a grey level per pixel) and lose exactness where they clip.
 * Blocks whose input pixel or output block is not finite are left alone.
 */
public final class ConsistencyProjection {

	private ConsistencyProjection() {}

	/**
	 * The step after a plane is assembled and mapped back to intensities, before conversion to the output type:
	 * projects every component of the plane ({@code output[k]} onto {@code input[k]}), in place.
	 */
	public static void projectPlane(final float[][] output, final float[][] input, final int width, final int height,
		final int scale)
	{
		if (output.length != input.length) throw new IllegalArgumentException("plane components do not match: input " +
			input.length + ", output " + output.length);
		for (int k = 0; k < output.length; k++)
			project(output[k], input[k], width, height, scale);
	}

	/**
	 * Projects {@code output} ({@code width*scale x height*scale}) in place onto the outputs whose block means
	 * equal {@code input} ({@code width x height}); the input is only read.
	 */
	public static void project(final float[] output, final float[] input, final int width, final int height,
		final int scale)
	{
		if (scale < 1) throw new IllegalArgumentException("scale must be positive, not " + scale);
		final int ow = width * scale;
		if (input.length != width * height || output.length != (long) ow * height * scale) throw new IllegalArgumentException(
			"plane sizes do not match: input " + input.length + " for " + width + "x" + height + ", output " + output.length +
				" at x" + scale);
		final double area = (double) scale * scale;
		for (int y = 0; y < height; y++)
			for (int x = 0; x < width; x++) {
				final int first = y * scale * ow + x * scale;
				double sum = 0;
				for (int dy = 0; dy < scale; dy++)
					for (int dx = 0; dx < scale; dx++)
						sum += output[first + dy * ow + dx];
				final double shift = input[y * width + x] - sum / area;
				if (!Double.isFinite(shift)) continue;
				for (int dy = 0; dy < scale; dy++)
					for (int dx = 0; dx < scale; dx++)
						output[first + dy * ow + dx] = (float) (output[first + dy * ow + dx] + shift);
			}
	}
}
