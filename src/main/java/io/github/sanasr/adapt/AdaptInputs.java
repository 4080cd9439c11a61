package io.github.sanasr.adapt;

import io.github.sanasr.batch.ImageFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The images named by a host: files as given, folders as every file in them that ImageJ opens. */
public final class AdaptInputs {

	private AdaptInputs() {}

	/**
	 * Opens the images; a named file that cannot be read is an error, an unreadable file inside a folder is
	 * skipped with a note. Folders are not searched recursively; hidden files are left out.
	 */
	public static List<AdaptImage> open(final List<Path> inputs, final Consumer<String> notes) throws AdaptException {
		final List<AdaptImage> images = new ArrayList<>();
		for (final Path in : inputs) {
			if (Files.isDirectory(in)) {
				final List<Path> files;
				try (Stream<Path> s = Files.list(in)) {
					files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted()
						.toList();
				}
				catch (final IOException e) {
					throw new AdaptException("Cannot list " + in + ": " + e.getMessage(), e);
				}
				for (final Path f : files) {
					try {
						images.add(new AdaptImage(f.getFileName().toString(), ImageFiles.open(f), f));
					}
					catch (final ImageFiles.UnusableFileException e) {
						notes.accept("skipped " + f + ": " + e.getMessage());
					}
				}
			}
			else if (Files.isRegularFile(in)) {
				try {
					images.add(new AdaptImage(in.getFileName().toString(), ImageFiles.open(in), in));
				}
				catch (final ImageFiles.UnusableFileException e) {
					throw new AdaptException(in + ": " + e.getMessage());
				}
			}
			else throw new AdaptException("No such file or folder: " + in);
		}
		if (images.isEmpty()) throw new AdaptException("No images found in " + inputs +
			": give image files, or folders that hold some.");
		return images;
	}
}
