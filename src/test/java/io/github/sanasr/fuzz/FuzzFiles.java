package io.github.sanasr.fuzz;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.ImageFiles;
import io.github.sanasr.batch.OutputFormat;
import io.github.sanasr.batch.OutputNames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Image files for the fuzz: valid ones written by ImageJ from a random image, and broken ones made from them
 * (truncated, zero bytes, wrong extension, flipped header bytes, trailing garbage, random bytes) or made from
 * nothing (TIFF headers that declare images too large to allocate). Plus the checks on what a batch left behind.
 */
final class FuzzFiles {

	private FuzzFiles() {}

	static final String[] NAMES = { "img", "ünï cødé", "a b", "x.y", "UPPER", "1", "dots.in.name", "emoji🧫" };

	/** Writes one file named {@code base} plus an extension into {@code dir}; returns what kind it is. */
	static String write(final Path dir, final String base, final Random r) throws IOException {
		return write(dir, base, r, Long.MAX_VALUE);
	}

	/** As {@link #write(Path, String, Random)}, the image at most {@code maxPixels} pixels in all. */
	static String write(final Path dir, final String base, final Random r, final long maxPixels) throws IOException {
		final int mutation = r.nextInt(12);
		if (mutation == 0) return huge(dir, base, r);
		if (mutation == 1) {
			Files.write(dir.resolve(base + (r.nextBoolean() ? ".tif" : ".png")), new byte[0]);
			return "zero-bytes";
		}
		if (mutation == 2) {
			final byte[] junk = new byte[1 + r.nextInt(2000)];
			r.nextBytes(junk);
			Files.write(dir.resolve(base + new String[] { ".tif", ".png", ".jpg", ".gif", ".bmp", ".dat" }[r.nextInt(6)]), junk);
			return "random-bytes";
		}
		if (mutation == 3) {
			Files.writeString(dir.resolve(base + ".tif"), "not an image, just words\n");
			return "text-as-tif";
		}
		// a valid file first
		final FuzzImages.Drawn d = FuzzImages.draw(r, maxPixels);
		final ImagePlus imp = d.image();
		final boolean single = imp.getStackSize() == 1;
		final int format = single && (d.depth() == 8 || d.depth() == 24) ? r.nextInt(4) : 0;
		final String ext = new String[] { ".tif", ".png", ".jpg", ".gif" }[format];
		final Path valid = dir.resolve(base + ext);
		final FileSaver saver = new FileSaver(imp);
		final boolean ok = switch (format) {
			case 1 -> saver.saveAsPng(valid.toString());
			case 2 -> saver.saveAsJpeg(valid.toString());
			case 3 -> saver.saveAsGif(valid.toString());
			default -> single ? saver.saveAsTiff(valid.toString()) : saver.saveAsTiffStack(valid.toString());
		};
		if (!ok || !Files.isRegularFile(valid)) throw new IOException("ImageJ could not write " + valid);
		final String what = ext.substring(1) + " of " + d.description();
		final byte[] bytes = Files.readAllBytes(valid);
		switch (mutation) {
			case 4, 5 -> { // truncated
				final int keep = r.nextInt(Math.max(1, bytes.length - 1));
				Files.write(valid, Arrays.copyOf(bytes, keep));
				return "truncated to " + keep + "/" + bytes.length + " " + what;
			}
			case 6 -> { // wrong extension
				final String other = ext.equals(".tif") ? new String[] { ".png", ".jpg", ".gif" }[r.nextInt(3)] : ".tif";
				Files.move(valid, dir.resolve(base + other));
				return "wrong-extension " + other + " " + what;
			}
			case 7 -> { // flipped header bytes
				final byte[] b = bytes.clone();
				for (int k = 0; k < 1 + r.nextInt(4); k++)
					b[r.nextInt(Math.min(b.length, 64))] ^= (byte) (1 + r.nextInt(255));
				Files.write(valid, b);
				return "flipped-header " + what;
			}
			case 8 -> { // trailing garbage
				final byte[] junk = new byte[1 + r.nextInt(500)];
				r.nextBytes(junk);
				final byte[] b = Arrays.copyOf(bytes, bytes.length + junk.length);
				System.arraycopy(junk, 0, b, bytes.length, junk.length);
				Files.write(valid, b);
				return "trailing-garbage " + what;
			}
			default -> {
				return "valid " + what;
			}
		}
	}

	/**
	 * A little-endian baseline TIFF whose header declares a plane too large for ImageJ (over 2^31-1 pixels), with
	 * a few bytes of data: the file is intact, the image is too large.
	 */
	private static String huge(final Path dir, final String base, final Random r) throws IOException {
		// all over 2^31-1 pixels, so no heap can hold one plane in a Java array (a CI test must not allocate gigabytes)
		final long[][] sizes = { { 60000, 60000, 8 }, { 46341, 46341, 8 }, { 100000, 100000, 16 }, { 70000, 40000, 16 },
			{ 2147483647L, 2, 8 }, { 65535, 65535, 32 } };
		final long[] s = sizes[r.nextInt(sizes.length)];
		final ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
		final int[][] entries = { { 256, 4, 1, (int) s[0] }, { 257, 4, 1, (int) s[1] }, { 258, 3, 1, (int) s[2] },
			{ 259, 3, 1, 1 }, { 262, 3, 1, 1 }, { 273, 4, 1, 200 }, { 277, 3, 1, 1 }, { 278, 4, 1, (int) s[1] },
			{ 279, 4, 1, (int) Math.min(Integer.MAX_VALUE, s[0] * s[1] * s[2] / 8) } };
		b.putShort((short) entries.length);
		for (final int[] e : entries) {
			b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
			if (e[1] == 3) b.putShort((short) e[3]).putShort((short) 0);
			else b.putInt(e[3]);
		}
		b.putInt(0);
		final Path file = dir.resolve(base + ".tif");
		Files.write(file, b.array());
		return "huge-header " + s[0] + "x" + s[1] + " " + s[2] + "-bit";
	}

	static Map<Path, String> checksums(final Path dir) throws IOException {
		final Map<Path, String> sums = new TreeMap<>();
		try (Stream<Path> s = Files.walk(dir)) {
			for (final Path p : s.filter(Files::isRegularFile).toList())
				sums.put(p, sha256(p) + " " + Files.getLastModifiedTime(p).toMillis());
		}
		return sums;
	}

	private static String sha256(final Path p) throws IOException {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
		}
		catch (final java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	/** No hidden temporary (".sanasr-part") or other half-written file anywhere under {@code out}. */
	static void noTemporaries(final Path out) throws IOException {
		if (!Files.isDirectory(out)) return;
		try (Stream<Path> s = Files.walk(out)) {
			final List<Path> parts = s.filter(p -> {
				final String n = p.getFileName().toString();
				return n.endsWith(".sanasr-part") || n.endsWith(".part") || n.endsWith(".tmp");
			}).toList();
			if (!parts.isEmpty()) throw new Fuzzer.Violation("temporary files left: " + parts);
		}
	}

	/** A restored file's outputs: the image (the right size), the fidelity map if asked for, the sidecar. */
	static void checkWritten(final BatchRow row, final Path input, final int scale, final boolean fidelity,
		final boolean float32, final OutputFormat format) throws Exception
	{
		final OutputNames names = new OutputNames(row.output().getParent(), input.getFileName().toString(), scale, format);
		if (!names.image().equals(row.output())) throw new Fuzzer.Violation("output " + row.output() + " is not " +
			names.image());
		final ImagePlus in = ImageFiles.open(input);
		final ImagePlus out = IJ.openImage(names.image().toString());
		if (out == null) throw new Fuzzer.Violation("the output does not open: " + names.image());
		if (out.getWidth() != in.getWidth() * scale || out.getHeight() != in.getHeight() * scale) throw new Fuzzer.Violation(
			"output " + out.getWidth() + "x" + out.getHeight() + " from input " + in.getWidth() + "x" + in.getHeight());
		final boolean colourToChannels = float32 && (in.getType() == ImagePlus.COLOR_RGB || in.getType() == ImagePlus.COLOR_256
			&& !in.isComposite());
		if (out.getStackSize() != in.getStackSize() * (colourToChannels ? 3 : 1)) throw new Fuzzer.Violation("output has " +
			out.getStackSize() + " planes from " + in.getStackSize());
		if (fidelity != Files.isRegularFile(names.fidelityMap())) throw new Fuzzer.Violation("fidelity map written: " +
			Files.isRegularFile(names.fidelityMap()));
		final String json = Files.readString(names.sidecar());
		if (!json.contains("model_sha256") || !json.contains("\"scale\"")) throw new Fuzzer.Violation(
			"sidecar without provenance");
		in.close();
		out.close();
	}

	/** A failed file leaves none of its outputs. */
	static void nothingWrittenFor(final Path out, final Path input) throws IOException {
		if (!Files.isDirectory(out)) return;
		try (Stream<Path> s = Files.walk(out)) {
			final String stem = input.getFileName().toString().replaceFirst("\\.[^.]*$", "");
			final List<Path> left = s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith(stem +
				"-SANA-SR")).toList();
			if (!left.isEmpty()) throw new Fuzzer.Violation("a failed file left outputs: " + left);
		}
	}

	/** The batch's refusal of PNG output for an image PNG cannot hold. */
	static boolean pngRefusal(final String message) {
		return message.startsWith("PNG holds");
	}
}
