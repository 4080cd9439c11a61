package io.github.sanasr.batch;

import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;
import io.github.sanasr.core.Restorer;

import ij.ImagePlus;

/**
 * What the batch runner needs from the core: one image in, one result out. A seam so that the batch logic
 * (skip, resume, atomic writes, reports) can be tested with a fast pure-Java double; production code uses
 * {@link #core()}.
 */
@FunctionalInterface
public interface ImageRestorer extends AutoCloseable {

	RestoreResult restore(ImagePlus input, RestoreOptions options, ProgressListener progress) throws RestoreException;

	@Override
	default void close() {}

	/**
	 * The real thing: one {@link Restorer} kept for the whole batch, so the model is loaded once.
	 * @param log where the core's messages go (device used, timings)
	 */
	static ImageRestorer core(final java.util.function.Consumer<String> log) {
		final Restorer restorer = new Restorer().log(log);
		return new ImageRestorer() {

			@Override
			public RestoreResult restore(final ImagePlus input, final RestoreOptions options,
				final ProgressListener progress) throws RestoreException
			{
				return restorer.restore(input, options, progress);
			}

			@Override
			public void close() {
				restorer.close();
			}
		};
	}
}
