package io.github.sanasr.adapt;

import ij.ImagePlus;

import java.nio.file.Path;

/** One of the user's images to adapt on: its name for the record, the pixels, and its file when it has one. */
public record AdaptImage(String name, ImagePlus image, Path file) {

	public AdaptImage {
		if (image == null) throw new IllegalArgumentException("no image");
		if (name == null || name.isBlank()) name = image.getTitle() == null ? "image" : image.getTitle();
	}
}
