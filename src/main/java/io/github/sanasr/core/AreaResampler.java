package io.github.sanasr.core;

/**
 * Shrinks an image by a rational factor {@code to/from} (e.g. the model's x4 output to x3 or x2) by exact
 * area averaging: each output pixel is the mean of the input area it covers, fractional pixels weighted by
 * their covered fraction. Pixel centres stay aligned, so the resampled grid matches the input image exactly.
 */
final class AreaResampler {

	private AreaResampler() {}

	/** Resamples channel-major {@code channels x height x width} data to {@code (height*to/from) x (width*to/from)}. */
	static float[] shrink(final float[] chw, final int channels, final int width, final int height, final int from,
		final int to)
	{
		if (from == to) return chw;
		if (width % from != 0 || height % from != 0) throw new IllegalArgumentException("size not divisible by " + from);
		final int ow = width / from * to, oh = height / from * to;
		final float[] out = new float[channels * ow * oh];
		final float[] row = new float[ow * height];
		for (int c = 0; c < channels; c++) {
			// along x: height rows of width -> ow
			for (int y = 0; y < height; y++)
				shrink1d(chw, c * width * height + y * width, 1, width, row, y * ow, 1, ow);
			// along y: ow columns of height -> oh
			for (int x = 0; x < ow; x++)
				shrink1d(row, x, ow, height, out, c * ow * oh + x, ow, oh);
		}
		return out;
	}

	private static void shrink1d(final float[] src, final int srcOff, final int srcStep, final int n, final float[] dst,
		final int dstOff, final int dstStep, final int m)
	{
		final double ratio = (double) n / m; // input pixels per output pixel
		for (int j = 0; j < m; j++) {
			final double a = j * ratio, b = (j + 1) * ratio;
			double acc = 0;
			for (int k = (int) Math.floor(a); k < Math.min(n, (int) Math.ceil(b)); k++) {
				final double w = Math.min(b, k + 1) - Math.max(a, k);
				if (w > 0) acc += w * src[srcOff + k * srcStep];
			}
			dst[dstOff + j * dstStep] = (float) (acc / ratio);
		}
	}
}
