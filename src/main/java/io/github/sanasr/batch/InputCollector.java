package io.github.sanasr.batch;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Turns the job's inputs into a sorted list of files. A folder contributes the files whose name matches
 * the pattern (hidden files and this plugin's own outputs excluded), recursively if asked; a file is taken
 * as it is. An input that does not exist becomes a failure row, not an exception.
 */
public final class InputCollector {

	/** One file to restore; {@code subfolder} is where its outputs go below the output folder. */
	public record InputFile(Path file, Path subfolder) {}

	public record Inputs(List<InputFile> files, List<BatchRow> problems) {}

	private InputCollector() {}

	public static Inputs collect(final BatchJob job) {
		final List<InputFile> files = new ArrayList<>();
		final List<BatchRow> problems = new ArrayList<>();
		final List<PathMatcher> matchers = matchers(job.pattern());
		for (final Path input : job.inputs()) {
			if (Files.isDirectory(input)) {
				try {
					files.addAll(listFolder(input, matchers, job.recursive()));
				}
				catch (final IOException | java.io.UncheckedIOException e) {
					problems.add(BatchRow.failed(input, "", 0, "cannot list folder: " + e.getMessage()));
				}
			}
			else if (Files.isRegularFile(input)) {
				files.add(new InputFile(input, Path.of("")));
			}
			else {
				problems.add(BatchRow.failed(input, "", 0, "no such file or folder"));
			}
		}
		return new Inputs(files, problems);
	}

	private static List<InputFile> listFolder(final Path folder, final List<PathMatcher> matchers,
		final boolean recursive) throws IOException
	{
		try (Stream<Path> walk = Files.walk(folder, recursive ? Integer.MAX_VALUE : 1)) {
			return walk.filter(Files::isRegularFile)
				.filter(p -> !hiddenBelow(folder, p))
				.filter(p -> !OutputNames.isOwnOutput(p.getFileName().toString()))
				.filter(p -> matches(matchers, p.getFileName().toString()))
				.sorted()
				.map(p -> new InputFile(p, folder.relativize(p.getParent())))
				.toList();
		}
	}

	/** Hidden files and folders (dot names), including our own temporary files, are never inputs. */
	private static boolean hiddenBelow(final Path root, final Path p) {
		for (final Path part : root.relativize(p)) {
			if (part.toString().startsWith(".")) return true;
		}
		return false;
	}

	static List<PathMatcher> matchers(final String pattern) {
		final List<PathMatcher> list = new ArrayList<>();
		for (final String glob : pattern.split(";")) {
			if (glob.isBlank()) continue;
			list.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.trim().toLowerCase(Locale.ROOT)));
		}
		return list;
	}

	static boolean matches(final List<PathMatcher> matchers, final String fileName) {
		if (matchers.isEmpty()) return true;
		final Path name = Path.of(fileName.toLowerCase(Locale.ROOT));
		return matchers.stream().anyMatch(m -> m.matches(name));
	}
}
