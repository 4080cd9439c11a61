package io.github.sanasr.core;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.Random;

/** Images and helpers shared by the tests. */
public final class TestImages {

	private TestImages() {}

	/** Folder of a test model under src/test/resources/models. */
	public static Path model(final String name) {
		try {
			return Paths.get(TestImages.class.getResource("/models/" + name + "/model.json").toURI()).getParent();
		}
		catch (final Exception e) {
			throw new IllegalStateException("test model " + name + " missing", e);
		}
	}

	/** A smooth pattern with some texture, in [0,1]. */
	public static double pattern(final int x, final int y, final int seed) {
		return 0.5 + 0.25 * Math.sin(0.31 * x + seed) * Math.cos(0.23 * y - seed) + 0.2 * Math.sin(0.05 * (x + 2 * y) + seed);
	}

	public static ImageProcessor plane(final int bitDepth, final int w, final int h, final int seed) {
		final Random rnd = new Random(seed);
		switch (bitDepth) {
			case 8: {
				final ByteProcessor p = new ByteProcessor(w, h);
				for (int y = 0; y < h; y++)
					for (int x = 0; x < w; x++)
						p.set(x, y, (int) Math.round(255 * clamp(pattern(x, y, seed) + 0.02 * rnd.nextGaussian())));
				return p;
			}
			case 16: {
				final ShortProcessor p = new ShortProcessor(w, h);
				for (int y = 0; y < h; y++)
					for (int x = 0; x < w; x++)
						p.set(x, y, (int) Math.round(100 + 3000 * clamp(pattern(x, y, seed) + 0.02 * rnd.nextGaussian())));
				return p;
			}
			case 32: {
				final FloatProcessor p = new FloatProcessor(w, h);
				for (int y = 0; y < h; y++)
					for (int x = 0; x < w; x++)
						p.setf(x, y, (float) (-2 + 7 * pattern(x, y, seed) + 0.05 * rnd.nextGaussian()));
				return p;
			}
			case 24: {
				final ColorProcessor p = new ColorProcessor(w, h);
				for (int y = 0; y < h; y++)
					for (int x = 0; x < w; x++) {
						final int r = (int) (255 * clamp(pattern(x, y, seed))), g = (int) (255 * clamp(pattern(y, x, seed + 1))),
							b = (int) (255 * clamp(pattern(x + y, x, seed + 2)));
						p.set(x, y, r << 16 | g << 8 | b);
					}
				return p;
			}
			default:
				throw new IllegalArgumentException("bit depth " + bitDepth);
		}
	}

	public static ImagePlus image(final String title, final int bitDepth, final int w, final int h, final int c,
		final int z, final int t)
	{
		final ImageStack stack = new ImageStack(w, h);
		for (int i = 0; i < c * z * t; i++)
			stack.addSlice("plane " + (i + 1), plane(bitDepth, w, h, i + 1));
		final ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(c, z, t);
		if (c * z * t > 1 && (c > 1 || z > 1 && t > 1)) imp.setOpenAsHyperStack(true);
		return imp;
	}

	private static double clamp(final double v) {
		return Math.max(0, Math.min(1, v));
	}

	/** SHA-256 over all planes' pixels (and dimensions): proves the input was not modified. */
	public static String checksum(final ImagePlus imp) {
		try {
			final MessageDigest md = MessageDigest.getInstance("SHA-256");
			md.update(ByteBuffer.allocate(20).putInt(imp.getWidth()).putInt(imp.getHeight()).putInt(imp.getNChannels())
				.putInt(imp.getNSlices()).putInt(imp.getNFrames()).array());
			final ImageStack s = imp.getStack();
			for (int i = 1; i <= s.getSize(); i++) {
				final ImageProcessor ip = s.getProcessor(i);
				for (int y = 0; y < ip.getHeight(); y++)
					for (int x = 0; x < ip.getWidth(); x++)
						md.update(ByteBuffer.allocate(4).putFloat(ip instanceof ColorProcessor ? ip.get(x, y) : ip.getf(x, y)).array());
			}
			final StringBuilder sb = new StringBuilder();
			for (final byte b : md.digest())
				sb.append(String.format("%02x", b));
			return sb.toString();
		}
		catch (final Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
