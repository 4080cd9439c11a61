package io.github.sanasr.core;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;

/**
 * Where the output disagrees with what was measured: the output is degraded back to the input grid with the
 * model's assumed degradation (area: the mean over each scale x scale block) and compared with the input,
 * pixel by pixel. The map holds {@code (degraded - input) / range}, with range the plane's robust intensity
 * range (its normalisation range), so 0.05 means "5 % of the plane's range brighter than measured". The
 * scalar is the root mean square over all finite pixels of all planes.
 */
public final class FidelityMap {

	private final ImagePlus input;
	private final int scale, width, height, components, nC, nZ, nT;
	private final boolean keepImage;
	private final float[][] planes;
	private double sumSquares;
	private long count;

	public FidelityMap(final ImagePlus input, final int components, final int scale, final boolean keepImage) {
		this.input = input;
		this.scale = scale;
		this.components = components;
		this.keepImage = keepImage;
		width = input.getWidth();
		height = input.getHeight();
		nC = input.getNChannels() * components;
		nZ = input.getNSlices();
		nT = input.getNFrames();
		planes = keepImage ? new float[nC * nZ * nT][] : null;
	}

	/**
	 * @param measured the input plane's components
	 * @param output the output plane's components as stored, {@code scale} times larger
	 * @param ranges per component, the normalisation range
	 */
	public void add(final int c, final int z, final int t, final float[][] measured, final float[][] output,
		final double[] ranges)
	{
		final int ow = width * scale;
		final double area = (double) scale * scale;
		for (int k = 0; k < components; k++) {
			final float[] map = new float[width * height];
			final float[] m = measured[k], o = output[k];
			for (int y = 0; y < height; y++)
				for (int x = 0; x < width; x++) {
					double acc = 0;
					for (int dy = 0; dy < scale; dy++) {
						final int row = (y * scale + dy) * ow + x * scale;
						for (int dx = 0; dx < scale; dx++)
							acc += o[row + dx];
					}
					final int i = y * width + x;
					final double d = (acc / area - m[i]) / ranges[k];
					if (Double.isFinite(d)) {
						sumSquares += d * d;
						count++;
						map[i] = (float) d;
					}
					else map[i] = Float.NaN;
				}
			if (keepImage) planes[((t - 1) * nZ + (z - 1)) * nC + (c - 1) * components + k] = map;
		}
	}

	/** Root mean square of the map over all finite pixels (NaN when there were none). */
	public double rms() {
		return count == 0 ? Double.NaN : Math.sqrt(sumSquares / count);
	}

	/** The 32-bit map on the input's grid and calibration, or null when it was not kept. */
	public ImagePlus build(final String title) {
		if (!keepImage) return null;
		final ImageStack stack = new ImageStack(width, height);
		for (final float[] p : planes)
			stack.addSlice(null, p);
		ImagePlus map = new ImagePlus(title, stack);
		map.setDimensions(nC, nZ, nT);
		if (nC > 1 || input.isHyperStack()) map.setOpenAsHyperStack(true);
		final ij.measure.Calibration cal = input.getCalibration().copy();
		cal.disableDensityCalibration();
		map.setCalibration(cal);
		if (nC > 1) map = new CompositeImage(map, IJ.GRAYSCALE);
		map.setDisplayRange(-0.1, 0.1);
		return map;
	}
}
