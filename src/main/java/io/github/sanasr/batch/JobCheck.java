package io.github.sanasr.batch;

import io.github.sanasr.core.RestoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Checks a folder job before its first file, the same way in every host (command line, Fiji, ImageJ 1.x,
 * Spark driver): the model exists and its file matches its checksum, the prompt, scale and precision are the
 * model's, the output folder can be made. Tile size, format and the file pattern were checked when the job was
 * built ({@link io.github.sanasr.core.RestoreOptions.Builder}, {@link OutputFormat#parse},
 * {@link BatchJob.Builder#pattern}).
 */
public final class JobCheck {

	private JobCheck() {}

	/** @return the identity of the outputs this job makes, less the input file's part */
	public static Map<String, String> check(final BatchJob job, final ImageRestorer restorer)
		throws InvalidJobException
	{
		final Map<String, String> identity;
		try {
			restorer.check(job.options());
			identity = restorer.identity(job.options());
		}
		catch (final RestoreException e) {
			throw new InvalidJobException(e.getMessage());
		}
		try {
			Files.createDirectories(job.outputDir());
		}
		catch (final IOException e) {
			throw new InvalidJobException("Cannot create the output folder " + job.outputDir() + ": " + e);
		}
		return identity;
	}
}
