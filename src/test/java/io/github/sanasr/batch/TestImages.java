package io.github.sanasr.batch;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Small real image files for batch tests, written with ImageJ's own writers. */
public final class TestImages {

	private TestImages() {}

	public static Path png8(final Path dir, final String name, final int w, final int h) throws IOException {
		final ImagePlus imp = IJ.createImage(name, "8-bit ramp", w, h, 1);
		return save(imp, dir.resolve(name), true);
	}

	public static Path tif16(final Path dir, final String name, final int w, final int h) throws IOException {
		final ImagePlus imp = IJ.createImage(name, "16-bit ramp", w, h, 1);
		imp.getCalibration().pixelWidth = 0.5;
		imp.getCalibration().pixelHeight = 0.5;
		imp.getCalibration().setUnit("um");
		return save(imp, dir.resolve(name), false);
	}

	/** The first bytes of a valid PNG: the right signature, a broken body. */
	public static Path corruptPng(final Path dir, final String name) throws IOException {
		final Path good = png8(Files.createTempDirectory("sanasr-corrupt"), "good.png", 64, 64);
		final byte[] bytes = Files.readAllBytes(good);
		return Files.write(dir.resolve(name), Arrays.copyOf(bytes, Math.min(bytes.length, 60)));
	}

	public static Path unsupported(final Path dir, final String name) throws IOException {
		return Files.writeString(dir.resolve(name), "not an image, just words\n");
	}

	private static Path save(final ImagePlus imp, final Path path, final boolean png) throws IOException {
		Files.createDirectories(path.getParent());
		final boolean ok = png ? new FileSaver(imp).saveAsPng(path.toString()) : new FileSaver(imp).saveAsTiff(path.toString());
		if (!ok) throw new IOException("could not write test image " + path);
		return path;
	}
}
