package io.github.sanasr.batch;

/**
 * A folder job that cannot run at all (unknown or damaged model, a prompt or scale the model does not have, a
 * bad pattern, an output folder that cannot be made): found before the first file, reported once as a usage
 * error instead of once per file.
 */
public final class InvalidJobException extends Exception {

	private static final long serialVersionUID = 1L;

	public InvalidJobException(final String message) {
		super(message);
	}
}
