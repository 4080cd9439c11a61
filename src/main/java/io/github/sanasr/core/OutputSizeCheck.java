package io.github.sanasr.core;

import ij.ImagePlus;

import java.util.Locale;

/** Refuses, before any work, outputs that ImageJ cannot hold or that clearly do not fit into memory. */
final class OutputSizeCheck {

	private OutputSizeCheck() {}

	static void check(final ImagePlus input, final int scale, final PlaneSource source, final RestoreOptions options)
		throws RestoreException
	{
		final long ow = (long) input.getWidth() * scale, oh = (long) input.getHeight() * scale;
		if (ow * oh > Integer.MAX_VALUE) throw new RestoreException(String.format(Locale.ROOT,
			"Too large: the output plane would be %d x %d = %d pixels, over ImageJ's limit of 2^31-1 pixels per plane. " +
				"Crop the image (e.g. into quarters) or use scale 2.", ow, oh, ow * oh));
		final long planes = (long) input.getNChannels() * input.getNSlices() * input.getNFrames();
		final long outBytes = ow * oh * planes * OutputImage.bytesPerPixel(OutputImage.typeFor(source.kind(),
			options.float32Output()));
		final long working = ow * oh * 4L * (source.components() + 2);
		final Runtime rt = Runtime.getRuntime();
		final long heapFree = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		if (outBytes + working > heapFree) throw new RestoreException(String.format(Locale.ROOT,
			"Too large: the output needs about %d MB of Java memory but only %d MB are free: raise the memory in Edit > " +
				"Options > Memory & Threads, crop the image, process fewer planes, or use a smaller scale.",
			(outBytes + working) >> 20, heapFree >> 20));
	}
}
