package io.github.sanasr.batch;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a file under a hidden temporary name in the same folder and renames it to its final name only when
 * it is complete, so a killed batch never leaves a half-written file under a final name (and a rerun, which
 * skips existing outputs, never mistakes a fragment for a result).
 */
public final class AtomicOutput {

	/** Writes the whole file at the path it is given. */
	@FunctionalInterface
	public interface Writer {
		void write(Path path) throws IOException;
	}

	/** Temporary files being written right now; removed on a normal JVM shutdown (e.g. SIGTERM). */
	private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> PENDING.forEach(p -> {
			try {
				Files.deleteIfExists(p);
			}
			catch (final IOException e) {
				// best effort: a left-over hidden temporary is harmless and replaced by the next run
			}
		}), "sanasr-temp-cleanup"));
	}

	private AtomicOutput() {}

	public static Path temporaryName(final Path target) {
		return target.resolveSibling("." + target.getFileName() + ".sanasr-part");
	}

	/**
	 * The temporary name of one writer among several that may write the same target at once (e.g. a task
	 * and its retried or speculative copy on a cluster): each writes its own temporary file, so none can
	 * rename another's half-written file into place. Still hidden and ending in ".sanasr-part".
	 */
	public static Path temporaryName(final Path target, final String writerTag) {
		if (writerTag == null || writerTag.isEmpty()) return temporaryName(target);
		return target.resolveSibling("." + target.getFileName() + "." + writerTag.replaceAll("[^A-Za-z0-9_-]", "_") +
			".sanasr-part");
	}

	public static void write(final Path target, final Writer writer) throws IOException {
		write(target, writer, null);
	}

	/** As {@link #write(Path, Writer)}, under {@link #temporaryName(Path, String)} until complete. */
	public static void write(final Path target, final Writer writer, final String writerTag) throws IOException {
		Files.createDirectories(target.toAbsolutePath().getParent());
		final Path tmp = temporaryName(target, writerTag);
		Files.deleteIfExists(tmp); // left over from a killed run
		PENDING.add(tmp);
		try {
			writer.write(tmp);
			if (!Files.isRegularFile(tmp) || Files.size(tmp) == 0) throw new IOException("nothing was written to " + target);
			try {
				Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			catch (final AtomicMoveNotSupportedException e) {
				Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		finally {
			Files.deleteIfExists(tmp);
			PENDING.remove(tmp);
		}
	}

	public static void writeString(final Path target, final String text) throws IOException {
		writeString(target, text, null);
	}

	public static void writeString(final Path target, final String text, final String writerTag) throws IOException {
		write(target, p -> Files.writeString(p, text, java.nio.charset.StandardCharsets.UTF_8), writerTag);
	}
}
