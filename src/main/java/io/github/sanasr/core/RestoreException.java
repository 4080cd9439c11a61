package io.github.sanasr.core;

/** A restoration could not be done; the message is for the user and says what to do. */
public class RestoreException extends Exception {

	private static final long serialVersionUID = 1L;

	public RestoreException(final String message) {
		super(message);
	}

	public RestoreException(final String message, final Throwable cause) {
		super(message, cause);
	}
}
