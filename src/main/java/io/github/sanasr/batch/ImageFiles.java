package io.github.sanasr.batch;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.Opener;

import java.io.IOException;
import java.nio.file.Path;

/** Opening inputs and writing outputs with ImageJ 1.x's own readers and writers, with messages for people. */
public final class ImageFiles {

	/** A file that cannot be used; the message says why, in words for the summary and stderr. */
	public static final class UnusableFileException extends Exception {

		private static final long serialVersionUID = 1L;

		public UnusableFileException(final String message) {
			super(message);
		}
	}

	private ImageFiles() {}

	/** Opens anything ImageJ 1.x opens itself (TIFF, PNG, JPEG, GIF, BMP, DICOM, FITS, PGM, ZIP, ...). */
	public static ImagePlus open(final Path file) throws UnusableFileException {
		final String path = file.toString();
		final int type = new Opener().getFileType(path);
		switch (type) {
			case Opener.UNKNOWN:
			case Opener.TEXT:
			case Opener.JAVA_OR_TEXT:
			case Opener.TABLE:
			case Opener.ROI:
			case Opener.LUT:
			case Opener.OJJ:
				throw new UnusableFileException("unsupported file type: not an image format ImageJ opens");
			case Opener.RAW:
				throw new UnusableFileException("raw data without a header: import it with File > Import > Raw first");
			default:
		}
		final DeclaredSize declared = DeclaredSize.of(file, type == Opener.TIFF || type == Opener.TIFF_AND_DICOM);
		final String tooLarge = declared == null ? null : declared.tooLarge(DeclaredSize.freeHeap());
		if (tooLarge != null) throw new UnusableFileException(tooLarge);
		final ImagePlus imp;
		// ImageJ's own error for a bad file goes to the Log window (stdout when headless) instead of a modal
		// dialog that would stall an unattended batch
		IJ.redirectErrorMessages(true);
		try {
			imp = IJ.openImage(path);
		}
		catch (final OutOfMemoryError e) {
			throw new UnusableFileException("too large: opening it ran out of Java memory (" +
				(Runtime.getRuntime().maxMemory() >> 20) + " MB at most); give Java more memory or split the file");
		}
		catch (final RuntimeException e) {
			// ImageJ's readers fail on damaged files with Java's exceptions; the person needs words (the fuzz found
			// "could not be read: java.lang.NullPointerException: ... this.gct is null" for a truncated GIF)
			throw new UnusableFileException("could not be read: corrupt or truncated file (ImageJ's reader stopped with " +
				e.getClass().getSimpleName() + ")");
		}
		finally {
			IJ.redirectErrorMessages(false);
		}
		if (imp == null || imp.getWidth() == 0 || imp.getHeight() == 0) {
			throw new UnusableFileException("could not be read: corrupt or truncated file");
		}
		return imp;
	}

	/** Checked before restoring, so a long restoration is not wasted on an output that cannot be written. */
	public static String pngProblem(final ImagePlus imp, final boolean float32Output) {
		if (imp.getStackSize() > 1) {
			return "PNG holds one plane but this image has " + imp.getStackSize() + "; use format tif";
		}
		final int t = imp.getType();
		if (float32Output || !(t == ImagePlus.GRAY8 || t == ImagePlus.COLOR_RGB || t == ImagePlus.COLOR_256)) {
			return "PNG holds 8-bit or RGB images, not " + (float32Output ? "32-bit" : typeName(imp)) + "; use format tif";
		}
		return null;
	}

	/** Frees an image's pixels (no "save changes?" question); null is fine. */
	public static void close(final ImagePlus imp) {
		if (imp == null) return;
		imp.changes = false;
		imp.flush();
	}

	public static void save(final ImagePlus imp, final Path path, final OutputFormat format) throws IOException {
		final FileSaver saver = new FileSaver(imp);
		final boolean ok = format == OutputFormat.PNG ? saver.saveAsPng(path.toString()) : saver.saveAsTiff(path.toString());
		if (!ok) throw new IOException("could not write " + path.getFileName());
	}

	/** "512x512 8-bit", "256x256 16-bit c3 z10 t5". */
	public static String describe(final ImagePlus imp) {
		final StringBuilder sb = new StringBuilder().append(imp.getWidth()).append('x').append(imp.getHeight())
			.append(' ').append(typeName(imp));
		if (imp.getNChannels() > 1) sb.append(" c").append(imp.getNChannels());
		if (imp.getNSlices() > 1) sb.append(" z").append(imp.getNSlices());
		if (imp.getNFrames() > 1) sb.append(" t").append(imp.getNFrames());
		return sb.toString();
	}

	private static String typeName(final ImagePlus imp) {
		switch (imp.getType()) {
			case ImagePlus.COLOR_RGB: return "RGB";
			case ImagePlus.COLOR_256: return "8-bit indexed";
			default: return imp.getBitDepth() + "-bit";
		}
	}
}
