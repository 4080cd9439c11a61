package io.github.sanasr.core;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;

/**
 * Where the output disagrees with what was measured, and where it holds detail that was not measured.
 * <ul>
 * <li><em>Consistency</em>: the output is degraded back to the input grid with the model's assumed degradation
 * (area: the mean over each scale x scale block) and compared with the input, pixel by pixel:
 * {@code (degraded - input) / range}, with range the plane's robust intensity range (its normalisation range),
 * so 0.05 means "5 % of the plane's range brighter than measured". Its RMS over all finite pixels of all planes
 * is {@link #rms()}.</li>
 * <li><em>Invented detail</em> ({@link InventedDetail}): per input pixel, the RMS over its output block of the
 * output's detail band (the output minus the bilinear upsampling of its block means), over the same range.
 * Zero-mean texture that a network adds inside a block leaves the consistency at 0 but shows here. Its RMS is
 * {@link #inventedRms()}, which equals the band's RMS over all finite output pixels, over the range.</li>
 * </ul>
 * The map image has twice the input's channels (components, for RGB): channels 1..n are the consistency
 * planes, n+1..2n the invented-detail planes, each slice labelled {@link #CONSISTENCY} or {@link #INVENTED}
 * and its channel, so a reader of the first plane (or of the first n channels) sees what it saw before.
 */
public final class FidelityMap {

	/** Slice-label prefixes of the map's two halves. */
	public static final String CONSISTENCY = "consistency", INVENTED = "invented detail";
	private static final String RGB = "RGB";

	private final ImagePlus input;
	private final int scale, width, height, components, nC, nZ, nT;
	private final boolean keepImage;
	private final float[][] planes;
	private final Rms consistency = new Rms(), invented = new Rms();

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
		planes = keepImage ? new float[2 * nC * nZ * nT][] : null;
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
			final double[] means = new double[width * height];
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
					means[i] = acc / area;
					final double d = (means[i] - m[i]) / ranges[k];
					map[i] = consistency.add(d);
				}
			final float[] detail = InventedDetail.blockRms(o, means, width, height, scale, ranges[k]);
			for (final float v : detail)
				invented.add(v);
			if (keepImage) {
				final int channel = (c - 1) * components + k, first = ((t - 1) * nZ + (z - 1)) * 2 * nC;
				planes[first + channel] = map;
				planes[first + nC + channel] = detail;
			}
		}
	}

	/** Root mean square of the consistency map over all finite pixels (NaN when there were none). */
	public double rms() {
		return consistency.value();
	}

	/** Root mean square of the invented-detail map over all finite pixels (NaN when there were none). */
	public double inventedRms() {
		return invented.value();
	}

	/**
	 * The 32-bit map on the input's grid and calibration, or null when it was not kept: consistency channels,
	 * then invented-detail channels, with slice labels such as "consistency c1" and "invented detail c1 R".
	 */
	public ImagePlus build(final String title) {
		if (!keepImage) return null;
		final ImageStack stack = new ImageStack(width, height);
		for (int i = 0; i < planes.length; i++)
			stack.addSlice(label(i % (2 * nC)), planes[i]);
		ImagePlus map = new ImagePlus(title, stack);
		map.setDimensions(2 * nC, nZ, nT);
		map.setOpenAsHyperStack(true);
		final ij.measure.Calibration cal = input.getCalibration().copy();
		cal.disableDensityCalibration();
		map.setCalibration(cal);
		final CompositeImage composite = new CompositeImage(map, IJ.GRAYSCALE);
		// consistency is signed (darker / brighter than measured); invented detail is an RMS, never negative
		for (int ch = 1; ch <= 2 * nC; ch++) {
			composite.setPositionWithoutUpdate(ch, 1, 1);
			if (ch <= nC) composite.setDisplayRange(-0.1, 0.1);
			else composite.setDisplayRange(0, 0.1);
		}
		composite.setPositionWithoutUpdate(1, 1, 1);
		return composite;
	}

	/** The label of channel {@code ch} (0-based) of the map. */
	private String label(final int ch) {
		final int channel = ch % nC;
		final String which = "c" + (channel / components + 1) + (components == 1 ? "" : " " + RGB.charAt(channel % components));
		return (ch < nC ? CONSISTENCY : INVENTED) + " " + which;
	}

	/** Sum of squares over the finite values seen; non-finite ones are left out and stored as NaN. */
	private static final class Rms {

		private double sumSquares;
		private long count;

		float add(final double v) {
			if (!Double.isFinite(v)) return Float.NaN;
			sumSquares += v * v;
			count++;
			return (float) v;
		}

		double value() {
			return count == 0 ? Double.NaN : Math.sqrt(sumSquares / count);
		}
	}
}
