package io.github.sanasr.batch;

import java.util.Locale;

/** Outcome of one input file. */
public enum BatchStatus {
	/** Restored and written. */
	OK,
	/** All outputs already existed and overwrite was off. */
	SKIPPED,
	/** Could not be opened, restored or written; the batch went on. */
	FAILED,
	/** The user cancelled while this file was running; nothing was written for it. */
	CANCELLED;

	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}
}
