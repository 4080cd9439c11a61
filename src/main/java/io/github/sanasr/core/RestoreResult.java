package io.github.sanasr.core;

import ij.ImagePlus;

import java.util.Optional;

/** What a restoration returns: the new image, the optional fidelity map, and how both were made. */
public final class RestoreResult {

	private final ImagePlus image;
	private final ImagePlus fidelityMap;
	private final Provenance provenance;

	public RestoreResult(final ImagePlus image, final ImagePlus fidelityMap, final Provenance provenance) {
		this.image = image;
		this.fidelityMap = fidelityMap;
		this.provenance = provenance;
	}

	public ImagePlus image() { return image; }
	public Optional<ImagePlus> fidelityMap() { return Optional.ofNullable(fidelityMap); }
	public Provenance provenance() { return provenance; }
}
