package io.github.sanasr.batch;

import java.util.Locale;

/** Outcome of one input file. */
public enum BatchStatus {
	/** Restored and written. */
	OK,
	/** All outputs already existed, made from the same input, model and options, and overwrite was off. */
	SKIPPED,
	/** An output exists that this run did not make (another model, prompt or input; no sidecar): left untouched. */
	CONFLICT,
	/** Could not be opened, restored or written; the batch went on. */
	FAILED,
	/** The user cancelled while this file was running; nothing was written for it. */
	CANCELLED;

	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}
}
