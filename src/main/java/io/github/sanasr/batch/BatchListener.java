package io.github.sanasr.batch;

import java.nio.file.Path;

/** Follows a batch (terminal progress bar, Fiji status bar) and may cancel it between tiles. */
public interface BatchListener {

	BatchListener NONE = new BatchListener() {};

	default void fileStarted(final int index, final int count, final Path file) {}

	/** Tiles of the current file. */
	default void fileProgress(final int index, final int count, final long tilesDone, final long tilesTotal) {}

	default void fileFinished(final int index, final int count, final BatchRow row) {}

	/** Polled between tiles and between files. */
	default boolean isCancelled() {
		return false;
	}
}
