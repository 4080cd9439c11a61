package io.github.sanasr.batch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps two runs writing the same output folder at once (two ./sana-sr processes, two Fiji windows) off each
 * other's files: the one that decides and writes an output holds a lock on it until its sidecar is in place.
 * The locks are byte ranges of one hidden file, {@code .sanasr.lock} in the output folder, one range per output
 * name: the operating system drops them when a process dies, so a killed run never blocks a rerun, and the file
 * itself is never deleted (deleting a lock file while another process waits on it would let two hold it).
 */
public final class OutputLocks implements AutoCloseable {

	public static final String FILE_NAME = ".sanasr.lock";

	private final FileChannel channel;

	/** Opens (creating it if needed) the lock file of an output folder. */
	public OutputLocks(final Path outputDir) throws IOException {
		Files.createDirectories(outputDir);
		channel = FileChannel.open(outputDir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
	}

	/** The lock of one output, or null when another run (or another batch in this JVM) holds it now. */
	public FileLock tryLock(final Path output) throws IOException {
		try {
			return channel.tryLock(position(output), 1, false);
		}
		catch (final OverlappingFileLockException e) {
			return null; // held by another batch of this same JVM
		}
	}

	/** A byte position per output path (the file stays empty: locks may lie past its end). */
	static long position(final Path output) {
		final String key = output.toAbsolutePath().normalize().toString();
		long h = 1125899906842597L;
		for (int i = 0; i < key.length(); i++)
			h = 31 * h + key.charAt(i);
		return (h & 0x3fff_ffff_ffffL); // below 2^46: any file system takes it
	}

	@Override
	public void close() throws IOException {
		channel.close();
	}
}
