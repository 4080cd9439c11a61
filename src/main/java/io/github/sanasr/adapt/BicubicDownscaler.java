package io.github.sanasr.adapt;

/**
 * Antialiased bicubic shrinking, as MATLAB's imresize: the cubic kernel (a = -0.5) stretched by the factor,
 * weights normalised, edges replicated. Separable: rows, then columns.
 */
final class BicubicDownscaler implements Downscaler {

	@Override
	public float[] shrink(final float[] plane, final int width, final int height, final int factor) {
		final int w = width / factor, h = height / factor;
		final Weights wx = new Weights(width, w, factor), wy = new Weights(height, h, factor);
		final float[] rows = new float[w * height];
		for (int y = 0; y < height; y++)
			for (int x = 0; x < w; x++) {
				double s = 0;
				for (int k = 0; k < wx.taps; k++)
					s += wx.weight[x][k] * plane[y * width + wx.index[x][k]];
				rows[y * w + x] = (float) s;
			}
		final float[] out = new float[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double s = 0;
				for (int k = 0; k < wy.taps; k++)
					s += wy.weight[y][k] * rows[wy.index[y][k] * w + x];
				out[y * w + x] = (float) s;
			}
		return out;
	}

	@Override
	public double keptNoiseVariance(final int factor) {
		final Weights one = new Weights(64 * factor, 64, factor);
		double s = 0;
		for (final double v : one.weight[32])
			s += v * v;
		return s * s; // separable: the 2D weights are products of the 1D ones
	}

	static double cubic(final double x) {
		final double a = Math.abs(x);
		if (a <= 1) return 1.5 * a * a * a - 2.5 * a * a + 1;
		if (a < 2) return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2;
		return 0;
	}

	/** Per output pixel: the input indices (edge-replicated) and normalised weights. */
	private static final class Weights {
		final int taps;
		final int[][] index;
		final double[][] weight;

		Weights(final int in, final int out, final int factor) {
			taps = 4 * factor + 2;
			index = new int[out][taps];
			weight = new double[out][taps];
			for (int j = 0; j < out; j++) {
				final double centre = (j + 0.5) * factor - 0.5;
				final int first = (int) Math.floor(centre - 2.0 * factor);
				double sum = 0;
				for (int k = 0; k < taps; k++) {
					final int i = first + k;
					final double v = cubic((i - centre) / factor);
					index[j][k] = Math.min(in - 1, Math.max(0, i));
					weight[j][k] = v;
					sum += v;
				}
				for (int k = 0; k < taps; k++)
					weight[j][k] /= sum;
			}
		}
	}
}
