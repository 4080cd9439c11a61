package io.github.sanasr.batch;

import java.util.Locale;

/** File format of the restored images. Fidelity maps are always TIFF (they are 32-bit). */
public enum OutputFormat {
	/** Keeps everything: any type, stacks, calibration, and the provenance in the ImageJ metadata. */
	TIF("tif"),
	/** One 8-bit or RGB plane; the provenance is only in the sidecar. */
	PNG("png");

	private final String extension;

	OutputFormat(final String extension) {
		this.extension = extension;
	}

	public String extension() {
		return extension;
	}

	public static OutputFormat parse(final String s) {
		final String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
		switch (v) {
			case "tif": case "tiff": case "": return TIF;
			case "png": return PNG;
			default: throw new IllegalArgumentException("format must be tif or png, not '" + s + "'");
		}
	}
}
