package io.github.sanasr.batch;

import io.github.sanasr.core.Provenance;
import io.github.sanasr.core.RestoreResult;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one result's files: the fidelity map when there is one, the provenance sidecar (the restorer's
 * provenance plus the input file's fingerprint), and the image last, each under a temporary name and renamed
 * when complete ({@link AtomicOutput}). A set is complete exactly when its image exists.
 */
public final class OutputWriter {

	private OutputWriter() {}

	/**
	 * @param writerTag null, or a tag giving this writer temporary names of its own
	 *          ({@link AtomicOutput#temporaryName(Path, String)}), for runners where two copies of one task may
	 *          write at once
	 */
	public static void write(final RestoreResult result, final OutputNames out, final OutputFormat format,
		final InputFingerprint input, final String writerTag) throws IOException
	{
		if (result.fidelityMap().isPresent()) {
			final ImagePlus map = result.fidelityMap().get();
			AtomicOutput.write(out.fidelityMap(), p -> ImageFiles.save(map, p, OutputFormat.TIF), writerTag);
		}
		AtomicOutput.writeString(out.sidecar(), sidecar(result.provenance(), input).toJson(), writerTag);
		// the image last: an image under its final name always has its sidecar beside it, so an image without
		// one was not made by this tool (a conflict on a rerun), and a sidecar without its image is a set that a
		// killed run left unfinished (redone)
		AtomicOutput.write(out.image(), p -> ImageFiles.save(result.image(), p, format), writerTag);
	}

	static Provenance sidecar(final Provenance restored, final InputFingerprint input) {
		final Provenance p = new Provenance();
		if (restored != null) restored.entries().forEach(p::put);
		if (input != null) input.entries().forEach(p::put);
		return p;
	}
}
