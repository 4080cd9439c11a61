package io.github.sanasr.adapt;

/** Pixel binning: each input pixel is the mean of a factor x factor block (what a camera's binning measures). */
final class BinningDownscaler implements Downscaler {

	@Override
	public float[] shrink(final float[] plane, final int width, final int height, final int factor) {
		final int w = width / factor, h = height / factor;
		final float[] out = new float[w * h];
		final double norm = 1.0 / (factor * factor);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double s = 0;
				for (int dy = 0; dy < factor; dy++) {
					final int row = (y * factor + dy) * width + x * factor;
					for (int dx = 0; dx < factor; dx++)
						s += plane[row + dx];
				}
				out[y * w + x] = (float) (s * norm);
			}
		return out;
	}

	@Override
	public double keptNoiseVariance(final int factor) {
		return 1.0 / (factor * factor);
	}
}
