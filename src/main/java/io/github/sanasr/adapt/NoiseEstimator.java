package io.github.sanasr.adapt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Estimates Poisson-Gaussian noise (variance = gain * intensity + read variance) from the images themselves.
 * In each 8 x 8 block: the mean intensity, and the variance of a high-pass residual (each pixel minus the mean
 * of its four neighbours, which has 1.25 times the noise variance and removes smooth signal). Texture and
 * edges only raise a block's residual, so within each intensity bin a low quantile of the block variances is
 * taken (corrected for the quantile's bias under pure noise), and a line is fitted through the bins.
 */
final class NoiseEstimator {

	private static final int BLOCK = 8, BINS = 12;
	private static final double QUANTILE = 0.2;

	private final List<double[]> blocks = new ArrayList<>(); // {mean, residual variance}

	/** Adds one plane (intensities; non-finite pixels make their block unusable). */
	void add(final float[] plane, final int width, final int height) {
		for (int by = 1; by + BLOCK < height; by += BLOCK)
			for (int bx = 1; bx + BLOCK < width; bx += BLOCK) {
				double sum = 0, sumR = 0, sumR2 = 0;
				boolean finite = true;
				for (int y = by; y < by + BLOCK && finite; y++)
					for (int x = bx; x < bx + BLOCK; x++) {
						final int i = y * width + x;
						final double v = plane[i];
						final double r = v - 0.25 * (plane[i - 1] + plane[i + 1] + plane[i - width] + plane[i + width]);
						if (!Double.isFinite(r)) {
							finite = false;
							break;
						}
						sum += v;
						sumR += r;
						sumR2 += r * r;
					}
				if (!finite) continue;
				final int n = BLOCK * BLOCK;
				final double var = (sumR2 - sumR * sumR / n) / (n - 1) / 1.25;
				blocks.add(new double[] { sum / n, var });
			}
	}

	/** The fitted model; {@link NoiseModel#NONE} when there are too few blocks to tell. */
	NoiseModel estimate() {
		if (blocks.size() < 2 * BINS) return NoiseModel.NONE;
		final double[][] sorted = blocks.toArray(new double[0][]);
		Arrays.sort(sorted, (a, b) -> Double.compare(a[0], b[0]));
		// chi-square-like spread of a block variance with about n - 1 degrees of freedom
		final double bias = Math.max(0.3, 1 - 0.8416 * Math.sqrt(2.0 / (BLOCK * BLOCK - 1)));
		final double[] xs = new double[BINS], ys = new double[BINS];
		final int per = sorted.length / BINS;
		for (int b = 0; b < BINS; b++) {
			final double[][] bin = Arrays.copyOfRange(sorted, b * per, b == BINS - 1 ? sorted.length : (b + 1) * per);
			final double[] vars = new double[bin.length];
			double mean = 0;
			for (int i = 0; i < bin.length; i++) {
				vars[i] = bin[i][1];
				mean += bin[i][0];
			}
			Arrays.sort(vars);
			xs[b] = mean / bin.length;
			ys[b] = vars[(int) (QUANTILE * (vars.length - 1))] / bias;
		}
		// least squares y = gain * x + read, both kept non-negative
		double mx = 0, my = 0;
		for (int b = 0; b < BINS; b++) {
			mx += xs[b] / BINS;
			my += ys[b] / BINS;
		}
		double sxy = 0, sxx = 0;
		for (int b = 0; b < BINS; b++) {
			sxy += (xs[b] - mx) * (ys[b] - my);
			sxx += (xs[b] - mx) * (xs[b] - mx);
		}
		double gain = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
		double read = my - gain * mx;
		if (read < 0) {
			// through the origin instead
			double sx2 = 0, sxy0 = 0;
			for (int b = 0; b < BINS; b++) {
				sx2 += xs[b] * xs[b];
				sxy0 += xs[b] * ys[b];
			}
			gain = sx2 > 0 ? Math.max(0, sxy0 / sx2) : 0;
			read = 0;
		}
		return new NoiseModel(gain, read);
	}
}
