package io.github.sanasr.adapt;

import io.github.sanasr.core.RestoreException;

/** An adaptation that cannot run or failed, with a message that says what to do. */
public class AdaptException extends RestoreException {

	private static final long serialVersionUID = 1L;

	public AdaptException(final String message) {
		super(message);
	}

	public AdaptException(final String message, final Throwable cause) {
		super(message, cause);
	}
}
