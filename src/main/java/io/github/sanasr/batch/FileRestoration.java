package io.github.sanasr.batch;

import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreResult;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One input file, restored and written: open it, refuse a PNG output it cannot hold, restore, write
 * ({@link OutputWriter}), and turn every outcome into one summary row, never an exception (one bad file must
 * not stop a batch). Shared by the batch runner and the Spark job, so both write the same files.
 */
public final class FileRestoration {

	private FileRestoration() {}

	/**
	 * @param input the file's fingerprint, taken before it was opened; recorded in the sidecar
	 * @param writerTag see {@link OutputWriter#write}
	 */
	public static BatchRow run(final Path file, final OutputNames out, final BatchJob job, final ImageRestorer restorer,
		final ProgressListener progress, final InputFingerprint input, final String writerTag)
	{
		final long start = System.nanoTime();
		ImagePlus image = null;
		RestoreResult result = null;
		String sizeIn = "";
		try {
			image = ImageFiles.open(file);
			sizeIn = ImageFiles.describe(image);
			if (job.format() == OutputFormat.PNG) {
				final String problem = ImageFiles.pngProblem(image, job.options().float32Output());
				if (problem != null) return BatchRow.failed(file, sizeIn, seconds(start), problem);
			}
			result = restorer.restore(image, job.options(), progress);
			if (result == null || result.image() == null) throw new RestoreException("the restoration returned no image");
			OutputWriter.write(result, out, job.format(), input, writerTag);
			return new BatchRow(file, sizeIn, ImageFiles.describe(result.image()), seconds(start), BatchStatus.OK,
				"", out.image());
		}
		catch (final ImageFiles.UnusableFileException e) {
			return BatchRow.failed(file, sizeIn, seconds(start), e.getMessage());
		}
		catch (final RestoreCancelledException e) {
			return new BatchRow(file, sizeIn, "", seconds(start), BatchStatus.CANCELLED, e.getMessage(), null);
		}
		catch (final RestoreException e) {
			return BatchRow.failed(file, sizeIn, seconds(start), e.getMessage());
		}
		catch (final IOException e) {
			return BatchRow.failed(file, sizeIn, seconds(start), "could not write output: " + e.getMessage());
		}
		catch (final RuntimeException | OutOfMemoryError e) {
			// a bug or an exhausted heap on one file must not end an overnight batch
			return BatchRow.failed(file, sizeIn, seconds(start), "unexpected error: " + e);
		}
		finally {
			ImageFiles.close(image);
			if (result != null) {
				ImageFiles.close(result.image());
				result.fidelityMap().ifPresent(ImageFiles::close);
			}
		}
	}

	public static double seconds(final long start) {
		return (System.nanoTime() - start) / 1e9;
	}
}
