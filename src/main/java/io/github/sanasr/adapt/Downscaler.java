package io.github.sanasr.adapt;

/** Makes a model input from a target plane: shrinks it by an integer factor. */
interface Downscaler {

	/** {@code width} and {@code height} are multiples of {@code factor}; returns (width/factor) x (height/factor). */
	float[] shrink(float[] plane, int width, int height, int factor);

	/**
	 * The fraction of white noise variance that survives shrinking (1/16 for 4x4 binning): the noise already
	 * in a target is carried into its input at this fraction, and the rest is added back so that the input
	 * is as noisy as a real acquisition.
	 */
	double keptNoiseVariance(int factor);
}
