package io.github.sanasr.batch;

import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.Provenance;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A fast pure-Java stand-in for the core: nearest-neighbour upscaling, four "tiles" per image with progress
 * and cancellation between them, a small provenance, an optional fidelity map. Lets the batch logic be
 * tested in milliseconds; the real core is exercised by the end-to-end tests.
 */
public final class FakeRestorer implements ImageRestorer {

	public final List<String> restoredTitles = new ArrayList<>();
	/** Titles for which restore throws a RestoreException. */
	Predicate<String> failOn = t -> false;
	/** Titles for which restore throws an unexpected RuntimeException. */
	Predicate<String> crashOn = t -> false;
	/** What {@link #check} says about the options: null when they are fine. */
	String refuse;

	@Override
	public void check(final RestoreOptions options) throws RestoreException {
		if (refuse != null) throw new RestoreException(refuse);
	}

	@Override
	public RestoreResult restore(final ImagePlus input, final RestoreOptions options, final ProgressListener progress)
		throws RestoreException
	{
		final String title = input.getTitle();
		if (failOn.test(title)) throw new RestoreException("model refused " + title);
		if (crashOn.test(title)) throw new IllegalStateException("bug while restoring " + title);
		final int tiles = 4;
		for (int t = 0; t < tiles; t++) {
			if (progress.isCancelled()) throw new RestoreCancelledException();
			progress.progress(t + 1, tiles, "tile " + (t + 1));
		}
		final int s = options.scale();
		final ImageStack in = input.getStack();
		final ImageStack out = new ImageStack(input.getWidth() * s, input.getHeight() * s);
		for (int i = 1; i <= in.getSize(); i++) {
			in.getProcessor(i).setInterpolationMethod(ij.process.ImageProcessor.NONE);
			out.addSlice(in.getSliceLabel(i), in.getProcessor(i).resize(input.getWidth() * s, input.getHeight() * s));
		}
		final ImagePlus result = new ImagePlus(title + "-SANA-SR-x" + s, out);
		result.setDimensions(input.getNChannels(), input.getNSlices(), input.getNFrames());
		final Calibration cal = input.getCalibration().copy();
		cal.pixelWidth /= s;
		cal.pixelHeight /= s;
		result.setCalibration(cal);
		final Provenance provenance = new Provenance().put("plugin", "fake").put("input_title", title);
		identity(options).forEach(provenance::put); // as the core does: a rerun compares these
		result.setProperty("Info", provenance.toInfoText());
		final ImagePlus map = options.fidelityMap()
			? new ImagePlus(title + "-fidelity", new FloatProcessor(input.getWidth(), input.getHeight())) : null;
		synchronized (restoredTitles) {
			restoredTitles.add(title);
		}
		return new RestoreResult(result, map, provenance);
	}
}
