package io.github.sanasr.bench;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Inputs for the benchmarks: a real RGB sample image (sample-images/ihc.png) resized to the wanted size, so
 * the normalisation sees real statistics; a smooth synthetic pattern when the sample is not there.
 */
public final class BenchImages {

	static final Path SAMPLE = Path.of("sample-images", "ihc.png");

	private BenchImages() {}

	public static ImagePlus rgb(final int size) {
		ImageProcessor ip = null;
		if (Files.isRegularFile(SAMPLE)) {
			final ImagePlus sample = IJ.openImage(SAMPLE.toString());
			if (sample != null) {
				sample.getProcessor().setInterpolationMethod(ImageProcessor.BILINEAR);
				ip = sample.getProcessor().convertToRGB().resize(size, size);
			}
		}
		if (ip == null) {
			final ColorProcessor cp = new ColorProcessor(size, size);
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++) {
					final int r = (int) (127 + 120 * Math.sin(0.11 * x) * Math.cos(0.07 * y));
					final int g = (int) (127 + 120 * Math.sin(0.05 * (x + y)));
					final int b = (int) (127 + 120 * Math.cos(0.09 * y));
					cp.set(x, y, r << 16 | g << 8 | b);
				}
			ip = cp;
		}
		return new ImagePlus("bench-" + size + ".png", ip);
	}

	/** The image as a channel-major float tile in [0,1], as the model sees a normalised plane. */
	public static float[] chw(final ImagePlus rgb, final int channels) {
		final ColorProcessor cp = (ColorProcessor) rgb.getProcessor().convertToRGB();
		final int n = cp.getWidth() * cp.getHeight();
		final float[] out = new float[channels * n];
		final int[] px = (int[]) cp.getPixels();
		for (int i = 0; i < n; i++)
			for (int c = 0; c < channels; c++)
				out[c * n + i] = ((px[i] >> (16 - 8 * (c % 3))) & 0xff) / 255f;
		return out;
	}
}
