package io.github.sanasr.core;

import ij.ImagePlus;

/**
 * Writes a {@link Provenance} into an image: as the "Info" text (Image > Show Info, saved in the TIFF's
 * ImageJ metadata) and as one string property per key (macro: {@code Property.get("model_sha256")}, also
 * saved in TIFFs).
 */
final class Provenances {

	private Provenances() {}

	static void attach(final ImagePlus image, final Provenance p, final ImagePlus input) {
		final StringBuilder info = new StringBuilder(p.toInfoText());
		final Object inputInfo = input == null ? null : input.getProperty("Info");
		if (inputInfo instanceof String && !((String) inputInfo).isBlank()) {
			info.append("\n--- Info of the input image ---\n").append(inputInfo);
		}
		image.setProperty("Info", info.toString());
		p.entries().forEach(image::setProp);
	}
}
