package io.github.sanasr.core;

import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelException;

/** Which of an image's components go into one model call together. */
final class ChannelGroups {

	private ChannelGroups() {}

	/**
	 * All at once when the model takes as many channels as the image has; one by one into a one-channel model;
	 * a grey plane alone into a colour model (repeated into its channels).
	 */
	static int[][] of(final int components, final ModelDescriptor d) throws ModelException {
		final int modelChannels = d.inputChannels();
		if (components == modelChannels) {
			final int[] all = new int[components];
			for (int k = 0; k < components; k++)
				all[k] = k;
			return new int[][] { all };
		}
		if (modelChannels == 1) {
			final int[][] each = new int[components][];
			for (int k = 0; k < components; k++)
				each[k] = new int[] { k };
			return each;
		}
		if (components == 1) return new int[][] { { 0 } };
		throw new ModelException("Model " + d.name() + " takes " + modelChannels + " channels; cannot feed " + components);
	}
}
