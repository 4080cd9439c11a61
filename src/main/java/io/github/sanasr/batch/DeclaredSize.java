package io.github.sanasr.batch;

import ij.io.FileInfo;
import ij.io.TiffDecoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The size an image file declares in its header, read without its pixels, so that a file too large to open
 * is reported as too large (with its size and the limit) instead of failing to open as if it were corrupt.
 * TIFF through ImageJ's own decoder; PNG, JPEG, GIF and BMP through javax.imageio; other formats are not
 * checked here (ImageJ's reader and the out-of-memory guard in {@link ImageFiles#open} speak for them).
 */
record DeclaredSize(long width, long height, long planes, int bytesPerPixel) {

	/** ImageJ holds a plane in one Java array: at most 2^31-1 pixels. */
	static final long IMAGEJ_PIXELS_PER_PLANE = Integer.MAX_VALUE;

	/** The declared size, or null when the header cannot be read this way (then the opener decides). */
	static DeclaredSize of(final Path file, final boolean tiff) {
		try {
			return tiff ? tiff(file) : imageIo(file);
		}
		catch (final IOException | RuntimeException e) {
			return null; // not readable as a header: the opener reports it with its own words
		}
	}

	private static DeclaredSize tiff(final Path file) throws IOException {
		final Path dir = file.toAbsolutePath().getParent();
		final FileInfo[] info = new TiffDecoder(dir.toString() + java.io.File.separator, file.getFileName().toString())
			.getTiffInfo();
		if (info == null || info.length == 0) return null;
		final FileInfo fi = info[0];
		final long planes = info.length > 1 ? info.length : Math.max(1, fi.nImages);
		return new DeclaredSize(fi.width, fi.height, planes, Math.max(1, fi.getBytesPerPixel()));
	}

	private static DeclaredSize imageIo(final Path file) throws IOException {
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			if (in == null) return null;
			final Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
			if (!readers.hasNext()) return null;
			final ImageReader r = readers.next();
			try {
				r.setInput(in, true, true);
				return new DeclaredSize(r.getWidth(0), r.getHeight(0), 1, 4);
			}
			finally {
				r.dispose();
			}
		}
	}

	/** Why an image of this size cannot be opened here, or null when it fits. */
	String tooLarge(final long freeHeapBytes) {
		final long pixels = width * height;
		if (pixels > IMAGEJ_PIXELS_PER_PLANE) return String.format(Locale.ROOT, "too large: the file declares %d x %d " +
			"= %d pixels per plane, over ImageJ's limit of %d (2^31-1) pixels per plane; crop or split it first",
			width, height, pixels, IMAGEJ_PIXELS_PER_PLANE);
		final long bytes = pixels * planes * bytesPerPixel;
		if (bytes > freeHeapBytes) return String.format(Locale.ROOT, "too large: the file declares %d x %d pixels x %d " +
			"plane(s), %d MB in memory, but only %d MB of Java memory are free; give Java more memory (Edit > Options > " +
			"Memory & Threads, or SANASR_JAVA_OPTS=-Xmx...) or split the file", width, height, planes, bytes >> 20,
			freeHeapBytes >> 20);
		return null;
	}

	static long freeHeap() {
		final Runtime rt = Runtime.getRuntime();
		return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
	}
}
