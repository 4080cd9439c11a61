package io.github.sanasr.core;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;

import java.awt.image.IndexColorModel;

/**
 * Reads one C/Z/T plane of any ImagePlus as float arrays, one per colour component, without touching the
 * input: 8/16/32-bit give one component; RGB gives R, G, B; indexed colour (8-bit with a colour table) is
 * looked up through its table into R, G, B. Virtual stacks are read one plane at a time by ImageJ.
 */
public final class PlaneSource {

	public enum Kind {
		GRAY8, GRAY16, GRAY32, RGB, INDEXED;

		public boolean isColour() {
			return this == RGB || this == INDEXED;
		}
	}

	private final ImagePlus imp;
	private final ImageStack stack;
	private final Kind kind;
	private final byte[] reds, greens, blues;

	public PlaneSource(final ImagePlus imp) {
		this.imp = imp;
		this.stack = imp.getStack();
		kind = kindOf(imp);
		if (kind == Kind.INDEXED) {
			final IndexColorModel cm = colourTable(imp);
			reds = new byte[256];
			greens = new byte[256];
			blues = new byte[256];
			final int n = Math.min(256, cm.getMapSize());
			final byte[] r = new byte[cm.getMapSize()], g = new byte[cm.getMapSize()], b = new byte[cm.getMapSize()];
			cm.getReds(r);
			cm.getGreens(g);
			cm.getBlues(b);
			System.arraycopy(r, 0, reds, 0, n);
			System.arraycopy(g, 0, greens, 0, n);
			System.arraycopy(b, 0, blues, 0, n);
		}
		else reds = greens = blues = null;
	}

	public static Kind kindOf(final ImagePlus imp) {
		switch (imp.getType()) {
			case ImagePlus.GRAY8:
				return Kind.GRAY8;
			case ImagePlus.GRAY16:
				return Kind.GRAY16;
			case ImagePlus.GRAY32:
				return Kind.GRAY32;
			case ImagePlus.COLOR_RGB:
				return Kind.RGB;
			case ImagePlus.COLOR_256:
				// a composite's per-channel colour tables are display colours, not indexed colour
				return imp.isComposite() ? Kind.GRAY8 : Kind.INDEXED;
			default:
				throw new IllegalArgumentException("unsupported image type " + imp.getType());
		}
	}

	private static IndexColorModel colourTable(final ImagePlus imp) {
		final LUT lut = imp.getProcessor().getLut();
		if (lut != null) return lut;
		return (IndexColorModel) imp.getProcessor().getColorModel();
	}

	public Kind kind() { return kind; }
	public int width() { return imp.getWidth(); }
	public int height() { return imp.getHeight(); }
	/** Colour components per plane: 3 for RGB and indexed colour, else 1. */
	public int components() { return kind.isColour() ? 3 : 1; }

	/** The plane at 1-based channel, slice and frame, one float array per component. */
	public float[][] read(final int c, final int z, final int t) {
		final ImageProcessor ip = stack.getProcessor(imp.getStackIndex(c, z, t));
		final int n = ip.getWidth() * ip.getHeight();
		switch (kind) {
			case GRAY8: {
				final byte[] p = (byte[]) ip.getPixels();
				final float[] f = new float[n];
				for (int i = 0; i < n; i++)
					f[i] = p[i] & 0xff;
				return new float[][] { f };
			}
			case GRAY16: {
				final short[] p = (short[]) ip.getPixels();
				final float[] f = new float[n];
				for (int i = 0; i < n; i++)
					f[i] = p[i] & 0xffff;
				return new float[][] { f };
			}
			case GRAY32:
				return new float[][] { ((float[]) ip.getPixels()).clone() };
			case RGB: {
				final byte[] r = new byte[n], g = new byte[n], b = new byte[n];
				((ColorProcessor) ip).getRGB(r, g, b);
				return new float[][] { unsigned(r), unsigned(g), unsigned(b) };
			}
			default: {
				final byte[] p = (byte[]) ip.getPixels();
				final float[] r = new float[n], g = new float[n], b = new float[n];
				for (int i = 0; i < n; i++) {
					final int v = p[i] & 0xff;
					r[i] = reds[v] & 0xff;
					g[i] = greens[v] & 0xff;
					b[i] = blues[v] & 0xff;
				}
				return new float[][] { r, g, b };
			}
		}
	}

	private static float[] unsigned(final byte[] b) {
		final float[] f = new float[b.length];
		for (int i = 0; i < b.length; i++)
			f[i] = b[i] & 0xff;
		return f;
	}
}
