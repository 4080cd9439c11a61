package io.github.sanasr.adapt;

import ij.ImagePlus;

/** The synthetic specimen of {@link ModelAdapterTest}, for tests in other packages. */
public final class ModelAdapterTestImages {

	private ModelAdapterTestImages() {}

	public static ImagePlus specimen(final int w, final int h, final long seed) {
		return ModelAdapterTest.specimen(w, h, seed);
	}
}
