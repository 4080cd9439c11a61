package io.github.sanasr.fuzz;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.VirtualStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;

import java.awt.Color;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Random ImagePlus inputs for the fuzz: 8, 16, 32-bit, RGB and indexed colour; 1x1 up to 600x7; channels,
 * slices, frames, composites and virtual stacks; calibrations with NaN, negative, zero and infinite sizes;
 * constant, NaN and infinite planes; LUTs; titles with unicode, slashes or nothing. Each comes with a
 * description that names what was drawn, so a failing case can be rebuilt from its seed and read in a log.
 */
final class FuzzImages {

	private FuzzImages() {}

	static final String[] TITLES = { "cells.tif", "", "   ", "a/b\\c.png", "ünïcødé ☃ 显微镜", "..", "x", "title.with.dots.TIFF",
		"tab\there", "line\nbreak", "x".repeat(300), "café-SANA-SR-x4", "/", "C:\\data\\img.tif", "emoji 🧫🔬" };
	static final String[] UNITS = { "pixel", "micron", "µm", "nm", "", "ünït/ß", "a b", "inch" };
	static final double[] SIZES = { 1, 0.25, 0.1034, 2.5, 0, -1.5, Double.NaN, Double.POSITIVE_INFINITY, 1e-12, 1e12, -0.0 };

	/** A drawn input: the image, what it is, and what its output should look like. */
	record Drawn(ImagePlus image, String description, int depth, boolean indexed, boolean virtual, String[] contents) {}

	/** A drawn input of at most {@code maxPixels} pixels in all its planes (for cases that run a real model). */
	static Drawn draw(final Random r, final long maxPixels) {
		while (true) {
			final Drawn d = draw(r);
			final ImagePlus i = d.image();
			if ((long) i.getWidth() * i.getHeight() * i.getStackSize() <= maxPixels) return d;
		}
	}

	static Drawn draw(final Random r) {
		final int kind = r.nextInt(9);
		final boolean indexed = kind == 8;
		final int depth = indexed ? 8 : new int[] { 8, 8, 16, 16, 32, 32, 24, 24 }[kind];
		final int w, h;
		switch (r.nextInt(5)) {
			case 0 -> { w = 1 + r.nextInt(3); h = 1 + r.nextInt(3); } // 1x1 .. 3x3
			case 1 -> { w = 600; h = 7; }
			case 2 -> { w = 1 + r.nextInt(600); h = 1 + r.nextInt(7); }
			case 3 -> { w = 1 + r.nextInt(7); h = 1 + r.nextInt(120); }
			default -> { w = 1 + r.nextInt(48); h = 1 + r.nextInt(48); }
		}
		int c = indexed ? 1 : 1 + (r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0);
		final int z = indexed ? 1 : 1 + (r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0);
		final int t = indexed ? 1 : 1 + (r.nextInt(4) == 0 ? 1 : 0);
		if ((long) w * h * c * z * t > 9000) c = 1; // keeps a case within milliseconds with the test double
		final int zz = (long) w * h * c * z * t > 9000 ? 1 : z, tt = (long) w * h * c * zz * t > 9000 ? 1 : t;
		final boolean virtual = r.nextInt(5) == 0;
		final String[] contents = new String[c * zz * tt];
		final List<ImageProcessor> planes = new ArrayList<>();
		for (int i = 0; i < contents.length; i++) {
			contents[i] = contentKind(r, depth);
			planes.add(plane(depth, w, h, contents[i], r.nextLong()));
		}
		final String title = TITLES[r.nextInt(TITLES.length)];
		final ImageStack stack = virtual ? new MemoryVirtualStack(w, h, planes) : new ImageStack(w, h);
		if (!virtual) for (int i = 0; i < planes.size(); i++)
			stack.addSlice(r.nextInt(4) == 0 ? TITLES[r.nextInt(TITLES.length)] : "plane " + (i + 1), planes.get(i));
		ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(c, zz, tt);
		if (c * zz * tt > 1 && (c > 1 || zz > 1 && tt > 1)) imp.setOpenAsHyperStack(true);
		String lut = "grey";
		if (indexed) {
			imp.getProcessor().setLut(palette(r));
			imp = new ImagePlus(title, imp.getProcessor());
			imp.setTypeToColor256(); // 8-bit with a colour table, as ImageJ's GIF and 8-bit-colour openers make it
			lut = "indexed";
		}
		else if (c > 1 && depth != 24 && r.nextBoolean()) {
			final CompositeImage ci = new CompositeImage(imp, r.nextBoolean() ? IJ.COMPOSITE : IJ.COLOR);
			for (int k = 1; k <= c; k++)
				ci.setChannelLut(randomLut(r), k);
			imp = ci;
			lut = "composite";
		}
		else if (depth != 24 && c == 1 && r.nextInt(4) == 0) {
			imp.getProcessor().setLut(r.nextBoolean() ? LUT.createLutFromColor(Color.GREEN) : randomLut(r).createInvertedLut());
			lut = "lut";
		}
		final Calibration cal = imp.getCalibration();
		cal.pixelWidth = SIZES[r.nextInt(SIZES.length)];
		cal.pixelHeight = r.nextBoolean() ? cal.pixelWidth : SIZES[r.nextInt(SIZES.length)];
		cal.pixelDepth = SIZES[r.nextInt(SIZES.length)];
		cal.setUnit(UNITS[r.nextInt(UNITS.length)]);
		cal.xOrigin = r.nextInt(4) == 0 ? Double.NaN : r.nextInt(21) - 10;
		cal.yOrigin = r.nextInt(21) - 10;
		cal.frameInterval = r.nextInt(3) == 0 ? SIZES[r.nextInt(SIZES.length)] : 0;
		final String description = String.format(Locale.ROOT, "%s%s %dx%d c%d z%d t%d%s lut=%s contents=%s title=%s " +
			"cal=%s,%s,%s '%s' origin=%s,%s", indexed ? "indexed " : "", depth == 24 ? "RGB" : depth + "-bit", w, h, c, zz,
			tt, virtual ? " virtual" : "", lut, String.join(",", contents), quoted(title), cal.pixelWidth, cal.pixelHeight,
			cal.pixelDepth, cal.getUnit(), cal.xOrigin, cal.yOrigin);
		return new Drawn(imp, description, depth, indexed, virtual, contents);
	}

	private static String contentKind(final Random r, final int depth) {
		final int k = r.nextInt(10);
		if (k < 5) return "pattern";
		if (k == 5) return "zero";
		if (k == 6) return "max";
		if (depth == 32 && k == 7) return r.nextBoolean() ? "nan" : "some-nan";
		if (depth == 32 && k == 8) return r.nextBoolean() ? "inf" : "huge";
		return "noise";
	}

	static ImageProcessor plane(final int depth, final int w, final int h, final String content, final long seed) {
		final Random r = new Random(seed);
		final ImageProcessor p = switch (depth) {
			case 8 -> new ByteProcessor(w, h);
			case 16 -> new ShortProcessor(w, h);
			case 32 -> new FloatProcessor(w, h);
			default -> new ColorProcessor(w, h);
		};
		final double max = depth == 8 || depth == 24 ? 255 : depth == 16 ? 65535 : 1e6;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				final double v = switch (content) {
					case "zero" -> 0;
					case "max" -> max;
					case "nan" -> Double.NaN;
					case "some-nan" -> r.nextInt(3) == 0 ? Double.NaN : r.nextDouble() * 100 - 50;
					case "inf" -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
					case "huge" -> r.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE;
					case "noise" -> r.nextDouble() * max;
					default -> max * (0.5 + 0.4 * Math.sin(0.3 * x + seed % 7) * Math.cos(0.2 * y));
				};
				if (depth == 24) {
					final int g = (int) Math.max(0, Math.min(255, v));
					p.set(x, y, (g << 16) | ((255 - g) << 8) | ((g * 7) & 255));
				}
				else if (depth == 32) p.setf(x, y, (float) v);
				else p.set(x, y, (int) Math.max(0, Math.min(max, Math.round(v))));
			}
		return p;
	}

	private static LUT randomLut(final Random r) {
		final byte[] red = new byte[256], green = new byte[256], blue = new byte[256];
		final int a = r.nextInt(4);
		for (int i = 0; i < 256; i++) {
			red[i] = (byte) (a == 0 ? 255 - i : i);
			green[i] = (byte) (a == 1 ? (i * 3) & 255 : i / 2);
			blue[i] = (byte) (a == 2 ? 0 : r.nextInt(256));
		}
		return new LUT(red, green, blue);
	}

	/** A palette of unrelated colours, as a GIF has: ImageJ calls such an 8-bit image indexed colour. */
	private static LUT palette(final Random r) {
		final byte[] red = new byte[256], green = new byte[256], blue = new byte[256];
		r.nextBytes(red);
		r.nextBytes(green);
		r.nextBytes(blue);
		return new LUT(red, green, blue);
	}

	/** A virtual stack whose planes are made again on every read, as a file-backed stack's are. */
	static final class MemoryVirtualStack extends VirtualStack {

		private final List<ImageProcessor> planes;

		MemoryVirtualStack(final int w, final int h, final List<ImageProcessor> planes) {
			super(w, h, null, null);
			this.planes = planes;
		}

		@Override
		public ImageProcessor getProcessor(final int n) {
			return planes.get(n - 1).duplicate();
		}

		@Override
		public int getSize() {
			return planes.size();
		}

		@Override
		public String getSliceLabel(final int n) {
			return "virtual " + n;
		}

		@Override
		public Object getPixels(final int n) {
			return getProcessor(n).getPixels();
		}
	}

	/**
	 * SHA-256 over everything the restoration must leave alone: dimensions, type, title, calibration, every
	 * plane's pixels (through the stack, so a virtual stack is read as the core reads it), LUTs and display range.
	 */
	static String checksum(final ImagePlus imp) {
		try {
			final MessageDigest md = MessageDigest.getInstance("SHA-256");
			md.update(ByteBuffer.allocate(24).putInt(imp.getWidth()).putInt(imp.getHeight()).putInt(imp.getNChannels())
				.putInt(imp.getNSlices()).putInt(imp.getNFrames()).putInt(imp.getType()).array());
			md.update(String.valueOf(imp.getTitle()).getBytes(StandardCharsets.UTF_8));
			final Calibration cal = imp.getCalibration();
			md.update(String.join("|", String.valueOf(cal.pixelWidth), String.valueOf(cal.pixelHeight),
				String.valueOf(cal.pixelDepth), cal.getUnit(), String.valueOf(cal.xOrigin), String.valueOf(cal.yOrigin),
				String.valueOf(cal.frameInterval)).getBytes(StandardCharsets.UTF_8));
			final ImageStack s = imp.getStack();
			for (int i = 1; i <= s.getSize(); i++) {
				final ImageProcessor ip = s.getProcessor(i);
				final ByteBuffer b = ByteBuffer.allocate(4 * ip.getWidth() * ip.getHeight());
				for (int y = 0; y < ip.getHeight(); y++)
					for (int x = 0; x < ip.getWidth(); x++)
						b.putInt(ip instanceof FloatProcessor ? Float.floatToRawIntBits(ip.getf(x, y)) : ip.get(x, y));
				md.update(b.array());
			}
			final LUT[] luts = imp.isComposite() ? ((CompositeImage) imp).getLuts() : new LUT[] { imp.getProcessor().getLut() };
			for (final LUT l : luts) {
				if (l == null) continue;
				final byte[] bytes = new byte[3 * 256];
				l.getReds(bytes);
				md.update(bytes, 0, Math.min(256, l.getMapSize()));
			}
			md.update(String.valueOf(imp.getDisplayRangeMin() + "/" + imp.getDisplayRangeMax()).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(md.digest());
		}
		catch (final java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	static String quoted(final String s) {
		final String t = s.length() > 24 ? s.substring(0, 21) + "...(" + s.length() + ")" : s;
		return "'" + t.replace("\n", "\\n").replace("\t", "\\t") + "'";
	}
}
