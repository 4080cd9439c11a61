package io.github.sanasr.core;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.LUT;

import java.awt.Color;

/**
 * Builds the new image plane by plane: same C/Z/T layout as the input, the input's type (or 32-bit), title
 * {@code <input>-SANA-SR-x<scale>}, calibration divided by the scale with the origin scaled, and the input's
 * LUTs, channel colours, composite mode and display ranges. RGB and indexed colour come back as RGB, or
 * with 32-bit output as three channels R, G, B.
 */
public final class OutputImage {

	public enum Type {
		GRAY8, GRAY16, GRAY32, RGB, RGB_AS_CHANNELS;
	}

	private final ImagePlus input;
	private final int scale, width, height, nC, nZ, nT;
	private final Type type;
	private final Object[] pixels;

	public OutputImage(final ImagePlus input, final PlaneSource.Kind kind, final int scale, final boolean float32) {
		this.input = input;
		this.scale = scale;
		width = Math.multiplyExact(input.getWidth(), scale);
		height = Math.multiplyExact(input.getHeight(), scale);
		type = typeFor(kind, float32);
		nC = input.getNChannels() * (type == Type.RGB_AS_CHANNELS ? 3 : 1);
		nZ = input.getNSlices();
		nT = input.getNFrames();
		pixels = new Object[nC * nZ * nT];
	}

	public static Type typeFor(final PlaneSource.Kind kind, final boolean float32) {
		if (kind.isColour()) return float32 ? Type.RGB_AS_CHANNELS : Type.RGB;
		if (float32) return Type.GRAY32;
		switch (kind) {
			case GRAY8: return Type.GRAY8;
			case GRAY16: return Type.GRAY16;
			default: return Type.GRAY32;
		}
	}

	/** Bytes per output pixel of one input plane (all its colour components). */
	public static int bytesPerPixel(final Type type) {
		switch (type) {
			case GRAY8: return 1;
			case GRAY16: return 2;
			case RGB_AS_CHANNELS: return 12;
			default: return 4;
		}
	}

	public Type type() { return type; }
	public int width() { return width; }
	public int height() { return height; }

	/**
	 * Stores the plane at input position (c, z, t): components in the input's intensities (NaN allowed), and
	 * returns them as stored (rounded and clipped for integer types) for the fidelity map.
	 */
	public float[][] setPlane(final int c, final int z, final int t, final float[][] comps) {
		final int n = width * height;
		switch (type) {
			case GRAY8: {
				final byte[] p = new byte[n];
				for (int i = 0; i < n; i++)
					p[i] = (byte) clampRound(comps[0][i], 255);
				pixels[index(c, z, t)] = p;
				return new float[][] { unsigned(p) };
			}
			case GRAY16: {
				final short[] p = new short[n];
				final float[] back = new float[n];
				for (int i = 0; i < n; i++) {
					final int v = clampRound(comps[0][i], 65535);
					p[i] = (short) v;
					back[i] = v;
				}
				pixels[index(c, z, t)] = p;
				return new float[][] { back };
			}
			case GRAY32:
				pixels[index(c, z, t)] = comps[0];
				return comps;
			case RGB: {
				final int[] p = new int[n];
				final float[][] back = new float[3][n];
				for (int i = 0; i < n; i++) {
					final int r = clampRound(comps[0][i], 255), g = clampRound(comps[1][i], 255), b = clampRound(comps[2][i], 255);
					p[i] = 0xff000000 | r << 16 | g << 8 | b;
					back[0][i] = r;
					back[1][i] = g;
					back[2][i] = b;
				}
				pixels[index(c, z, t)] = p;
				return back;
			}
			default:
				for (int k = 0; k < 3; k++)
					pixels[index((c - 1) * 3 + k + 1, z, t)] = comps[k];
				return comps;
		}
	}

	private static int clampRound(final float v, final int max) {
		if (!(v > 0)) return 0; // also NaN
		return v >= max ? max : Math.round(v);
	}

	private static float[] unsigned(final byte[] p) {
		final float[] f = new float[p.length];
		for (int i = 0; i < p.length; i++)
			f[i] = p[i] & 0xff;
		return f;
	}

	private int index(final int c, final int z, final int t) {
		return (t - 1) * nZ * nC + (z - 1) * nC + (c - 1);
	}

	public ImagePlus build(final String title) {
		final ImageStack in = input.getStack();
		final ImageStack stack = new ImageStack(width, height);
		for (int i = 0; i < pixels.length; i++) {
			if (pixels[i] == null) throw new IllegalStateException("plane " + (i + 1) + " was never set");
			final int inIndex = type == Type.RGB_AS_CHANNELS ? i / 3 + 1 : i + 1;
			String label = in.getSliceLabel(inIndex);
			if (label != null && label.length() > 200) label = label.substring(0, 200); // ImageJ puts headers there
			stack.addSlice(label, pixels[i]);
		}
		ImagePlus out = new ImagePlus(title, stack);
		out.setDimensions(nC, nZ, nT);
		if (nC > 1 || input.isHyperStack()) out.setOpenAsHyperStack(true);
		out.setCalibration(calibration());
		if (type == Type.RGB_AS_CHANNELS) {
			final CompositeImage ci = new CompositeImage(out, IJ.COMPOSITE);
			final Color[] colours = { Color.RED, Color.GREEN, Color.BLUE };
			for (int c = 1; c <= nC; c++) {
				final LUT lut = LUT.createLutFromColor(colours[(c - 1) % 3]);
				lut.min = 0;
				lut.max = 255;
				ci.setChannelLut(lut, c);
			}
			out = ci;
		}
		else if (input.isComposite() && nC > 1) {
			final CompositeImage src = (CompositeImage) input;
			final CompositeImage ci = new CompositeImage(out, src.getMode());
			for (int c = 1; c <= nC; c++) {
				final LUT lut = (LUT) src.getChannelLut(c).clone();
				ci.setChannelLut(lut, c);
			}
			out = ci;
		}
		else if (type != Type.RGB) {
			final LUT lut = input.getProcessor().getLut();
			if (lut != null && !input.getProcessor().isDefaultLut()) out.getProcessor().setLut((LUT) lut.clone());
			out.setDisplayRange(input.getDisplayRangeMin(), input.getDisplayRangeMax());
		}
		return out;
	}

	/** Pixel size divided by the scale, origin (in pixels) multiplied by it; units and Z/T kept. */
	Calibration calibration() {
		final Calibration cal = input.getCalibration().copy();
		cal.pixelWidth /= scale;
		cal.pixelHeight /= scale;
		cal.xOrigin *= scale;
		cal.yOrigin *= scale;
		if (type == Type.GRAY32 || type == Type.RGB_AS_CHANNELS) cal.disableDensityCalibration();
		return cal;
	}
}
