package io.github.sanasr.adapt;

import java.util.Random;

/**
 * Poisson-Gaussian detector noise in an image's own intensity units: variance = gain * intensity + read
 * variance (shot noise grows with the signal, read noise does not). {@link #NONE} adds nothing.
 */
public record NoiseModel(double gain, double readVariance) {

	public static final NoiseModel NONE = new NoiseModel(0, 0);

	public double variance(final double intensity) {
		return Math.max(0, gain * Math.max(0, intensity) + readVariance);
	}

	public boolean isNone() {
		return gain <= 0 && readVariance <= 0;
	}

	/**
	 * Adds, in place, the part of the noise that shrinking removed from a plane: {@code 1 - kept} of the
	 * variance at each pixel's (clean) intensity, Gaussian (shot noise at these counts is close to it).
	 * {@code low} and {@code range} map the plane's values back to intensities when it is normalised
	 * (0 and 1 for raw intensities).
	 */
	void addMissing(final float[] plane, final float[] clean, final double kept, final double low, final double range,
		final Random rng)
	{
		if (isNone()) return;
		final double part = Math.max(0, 1 - kept);
		for (int i = 0; i < plane.length; i++) {
			final double sd = Math.sqrt(part * variance(low + clean[i] * range)) / range;
			plane[i] += (float) (sd * rng.nextGaussian());
		}
	}
}
