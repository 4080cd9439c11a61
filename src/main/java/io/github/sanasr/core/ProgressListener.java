package io.github.sanasr.core;

/** Receives progress between tiles and is asked, between tiles, whether to stop. */
public interface ProgressListener {

	ProgressListener NONE = new ProgressListener() {
		@Override
		public void progress(final long done, final long total, final String message) {}
	};

	/** @param done tiles finished so far, over all planes; @param total tiles in the whole run */
	void progress(long done, long total, String message);

	/** Polled between tiles: true stops the run, which then returns no output. */
	default boolean isCancelled() {
		return false;
	}
}
