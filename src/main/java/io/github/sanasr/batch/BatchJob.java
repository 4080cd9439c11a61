package io.github.sanasr.batch;

import io.github.sanasr.core.RestoreOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a batch run needs, immutable. Inputs are files or folders; folders are expanded with
 * {@link #pattern()} (and recursively when asked), files are taken as they are.
 */
public final class BatchJob {

	/** Default file pattern: every file; those ImageJ cannot open are reported, not silently ignored. */
	public static final String ALL_FILES = "*";

	private final List<Path> inputs;
	private final String pattern;
	private final boolean recursive;
	private final Path outputDir;
	private final OutputFormat format;
	private final boolean overwrite;
	private final RestoreOptions options;

	private BatchJob(final Builder b) {
		if (b.inputs.isEmpty()) throw new IllegalArgumentException("no input file or folder given");
		inputs = List.copyOf(b.inputs);
		pattern = b.pattern;
		recursive = b.recursive;
		outputDir = Objects.requireNonNull(b.outputDir, "no output folder given");
		format = b.format;
		overwrite = b.overwrite;
		options = b.options;
	}

	public static Builder builder() {
		return new Builder();
	}

	public List<Path> inputs() { return inputs; }
	/** Glob(s) on the file name, separated by ';' (e.g. "*.tif;*.png"), case-insensitive. */
	public String pattern() { return pattern; }
	public boolean recursive() { return recursive; }
	public Path outputDir() { return outputDir; }
	public OutputFormat format() { return format; }
	public boolean overwrite() { return overwrite; }
	public RestoreOptions options() { return options; }

	public static final class Builder {

		private final List<Path> inputs = new ArrayList<>();
		private String pattern = ALL_FILES;
		private boolean recursive;
		private Path outputDir;
		private OutputFormat format = OutputFormat.TIF;
		private boolean overwrite;
		private RestoreOptions options = RestoreOptions.builder().build();

		public Builder input(final Path p) {
			inputs.add(Objects.requireNonNull(p));
			return this;
		}

		public Builder inputs(final List<Path> ps) {
			ps.forEach(this::input);
			return this;
		}

		/** File name globs separated by ';'; one that is not a valid glob is refused here, before any file. */
		public Builder pattern(final String p) {
			final String globs = (p == null || p.isBlank()) ? ALL_FILES : p.trim();
			try {
				InputCollector.matchers(globs);
			}
			catch (final java.util.regex.PatternSyntaxException e) {
				throw new IllegalArgumentException("The file pattern '" + globs + "' is not a valid file-name glob (" +
					e.getDescription() + "); e.g. *.tif;*.png");
			}
			catch (final IllegalArgumentException e) { // another glob error: its first line, without a stack of detail
				throw new IllegalArgumentException("The file pattern '" + globs + "' is not a valid file-name glob (" +
					e.getMessage().lines().findFirst().orElse("") + "); e.g. *.tif;*.png");
			}
			pattern = globs;
			return this;
		}

		public Builder recursive(final boolean r) {
			recursive = r;
			return this;
		}

		public Builder outputDir(final Path d) {
			outputDir = d;
			return this;
		}

		public Builder format(final OutputFormat f) {
			format = Objects.requireNonNull(f);
			return this;
		}

		public Builder overwrite(final boolean o) {
			overwrite = o;
			return this;
		}

		public Builder options(final RestoreOptions o) {
			options = Objects.requireNonNull(o);
			return this;
		}

		public BatchJob build() {
			return new BatchJob(this);
		}
	}
}
