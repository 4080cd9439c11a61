package io.github.sanasr.model;

import io.github.sanasr.core.RestoreException;

/** A tile did not fit into (CPU or GPU) memory; the core retries with smaller tiles. */
public class TileOutOfMemoryException extends RestoreException {

	private static final long serialVersionUID = 1L;

	public TileOutOfMemoryException(final String message, final Throwable cause) {
		super(message, cause);
	}

	/** True when an engine error's message says that memory ran out (libtorch's CPU and CUDA wording). */
	public static boolean isOutOfMemory(final Throwable t) {
		for (Throwable c = t; c != null; c = c.getCause()) {
			if (c instanceof OutOfMemoryError) return true;
			final String m = c.getMessage();
			if (m != null) {
				final String l = m.toLowerCase(java.util.Locale.ROOT);
				if (l.contains("out of memory") || l.contains("can't allocate memory") || l.contains("cannot allocate memory") ||
					l.contains("bad_alloc")) return true;
			}
		}
		return false;
	}
}
