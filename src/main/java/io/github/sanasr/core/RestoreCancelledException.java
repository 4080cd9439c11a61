package io.github.sanasr.core;

/** The user (or a caller's {@link ProgressListener}) cancelled the run; no output exists. */
public class RestoreCancelledException extends RestoreException {

	private static final long serialVersionUID = 1L;

	public RestoreCancelledException() {
		super("Cancelled: no output was produced.");
	}
}
