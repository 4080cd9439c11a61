package io.github.sanasr.core;

/**
 * The detail of an output that its input grid cannot hold. The output's detail band is the output minus the
 * bilinear upsampling (by {@code scale}, half-pixel centres, clamped edges: torch's {@code align_corners=False},
 * as the factory's evaluation computes its texture band) of its own {@code scale x scale} block means. A x scale
 * input holds at most those block means, so everything in the band was inferred or invented by the network,
 * including zero-mean texture that leaves the block means, and so the consistency map, unchanged.
 * {@link #blockRms} gives, per input pixel, the band's root mean square over that pixel's output block.
 */
final class InventedDetail {

	private InventedDetail() {}

	/**
	 * @param output one output plane, {@code w*scale} by {@code h*scale}
	 * @param means the output's block means, {@code w} by {@code h} (the area degradation the fidelity map uses)
	 * @param range the plane's normalisation range; the result is in its units
	 * @return per input pixel, {@code sqrt(mean over its block of band^2) / range}; NaN where the block, or a
	 *         neighbouring block that its upsampled means reach into, is not finite
	 */
	static float[] blockRms(final float[] output, final double[] means, final int w, final int h, final int scale,
		final double range)
	{
		final int ow = w * scale, oh = h * scale;
		final int[] x0 = new int[ow], x1 = new int[ow];
		final double[] fx = new double[ow];
		weights(w, scale, x0, x1, fx);
		final int[] y0 = new int[oh], y1 = new int[oh];
		final double[] fy = new double[oh];
		weights(h, scale, y0, y1, fy);
		final double[] sums = new double[w * h];
		final double[] rowOfMeans = new double[w];
		for (int y = 0; y < oh; y++) {
			// separable: first between two rows of block means, then along the row
			final int r0 = y0[y] * w, r1 = y1[y] * w;
			for (int j = 0; j < w; j++)
				rowOfMeans[j] = (1 - fy[y]) * means[r0 + j] + fy[y] * means[r1 + j];
			final int block = (y / scale) * w;
			for (int x = 0; x < ow; x++) {
				final double up = (1 - fx[x]) * rowOfMeans[x0[x]] + fx[x] * rowOfMeans[x1[x]];
				final double band = output[y * ow + x] - up;
				sums[block + x / scale] += band * band;
			}
		}
		final double area = (double) scale * scale;
		final float[] rms = new float[w * h];
		for (int i = 0; i < rms.length; i++) {
			final double v = Math.sqrt(sums[i] / area) / range;
			rms[i] = Double.isFinite(v) ? (float) v : Float.NaN;
		}
		return rms;
	}

	/**
	 * Bilinear upsampling weights along one axis: output position p takes {@code (1-f) * in[i0] + f * in[i1]}
	 * with source coordinate {@code max((p + 0.5) / scale - 0.5, 0)}, indices clamped to the last input pixel.
	 */
	static void weights(final int in, final int scale, final int[] i0, final int[] i1, final double[] f) {
		for (int p = 0; p < in * scale; p++) {
			final double src = Math.max((p + 0.5) / scale - 0.5, 0);
			i0[p] = Math.min((int) Math.floor(src), in - 1);
			i1[p] = Math.min(i0[p] + 1, in - 1);
			f[p] = src - i0[p];
		}
	}
}
