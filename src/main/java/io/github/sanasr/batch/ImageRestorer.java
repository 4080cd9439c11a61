package io.github.sanasr.batch;

import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;
import io.github.sanasr.core.Restorer;

import ij.ImagePlus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the batch runner needs from the core: one image in, one result out. A seam so that the batch logic
 * (skip, resume, atomic writes, reports) can be tested with a fast pure-Java double; production code uses
 * {@link #core()}.
 */
@FunctionalInterface
public interface ImageRestorer extends AutoCloseable {

	RestoreResult restore(ImagePlus input, RestoreOptions options, ProgressListener progress) throws RestoreException;

	/**
	 * Checks options before the first file of a job: the model exists and is intact, the prompt and scale are
	 * its own. Throws with a message for the user.
	 */
	default void check(final RestoreOptions options) throws RestoreException {}

	/**
	 * The provenance entries by which an output made with these options is recognised on a rerun (see
	 * {@link ResumeCheck}); {@link #restore} records the same entries, with the same values, in its provenance.
	 */
	default Map<String, String> identity(final RestoreOptions options) throws RestoreException {
		final Map<String, String> m = new LinkedHashMap<>();
		m.put("model", options.model());
		m.putAll(options.pixelOptions());
		return m;
	}

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
			public void check(final RestoreOptions options) throws RestoreException {
				restorer.check(options);
			}

			@Override
			public Map<String, String> identity(final RestoreOptions options) throws RestoreException {
				return restorer.identity(options);
			}

			@Override
			public void close() {
				restorer.close();
			}
		};
	}
}
