package io.github.sanasr.model;

import io.github.sanasr.core.RestoreException;

/** A model folder is missing, unreadable, inconsistent or fails its checksum; the message names the file. */
public class ModelException extends RestoreException {

	private static final long serialVersionUID = 1L;

	public ModelException(final String message) {
		super(message);
	}

	public ModelException(final String message, final Throwable cause) {
		super(message, cause);
	}
}
