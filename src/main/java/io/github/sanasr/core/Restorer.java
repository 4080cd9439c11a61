package io.github.sanasr.core;

import ij.ImagePlus;

/**
 * The core of the plugin: restores one ImagePlus (any type, any C/Z/T layout) into a new one.
 * SKELETON — the signature is the contract used by the commands, the batch runner and the command line;
 * the body is being written.
 */
public final class Restorer implements AutoCloseable {

	public RestoreResult restore(final ImagePlus input, final RestoreOptions options, final ProgressListener progress)
		throws RestoreException
	{
		throw new RestoreException("Restorer is not implemented yet");
	}

	@Override
	public void close() {}
}
