package io.github.sanasr.batch;

import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreResult;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores many files, one after the other, and never lets one bad file stop the others. Outputs that
 * already exist are skipped unless the job says overwrite, so a killed batch resumes where it stopped;
 * every output is written under a temporary name and renamed when complete; the provenance sidecar is
 * written last, so a set without one is redone. The summary CSV is rewritten after every file, so even a
 * killed overnight run leaves a record.
 */
public final class BatchRestorer {

	private final ImageRestorer restorer;

	/** @param restorer the restoration to apply; the caller keeps ownership (and closes it). */
	public BatchRestorer(final ImageRestorer restorer) {
		this.restorer = restorer;
	}

	public BatchReport run(final BatchJob job, final BatchListener listener) {
		final BatchReport report = new BatchReport();
		final InputCollector.Inputs inputs = InputCollector.collect(job);
		inputs.problems().forEach(report::add);
		final List<InputCollector.InputFile> files = inputs.files();
		final Map<Path, Path> claimedOutputs = new HashMap<>();
		final Path csv = job.outputDir().resolve(BatchReport.CSV_NAME);
		for (int i = 0; i < files.size(); i++) {
			if (listener.isCancelled()) {
				report.markCancelled();
				break;
			}
			final InputCollector.InputFile in = files.get(i);
			listener.fileStarted(i, files.size(), in.file());
			final BatchRow row = restoreOne(job, in, i, files.size(), claimedOutputs, listener);
			report.add(row);
			listener.fileFinished(i, files.size(), row);
			writeCsvQuietly(report, csv);
			if (row.status() == BatchStatus.CANCELLED) {
				report.markCancelled();
				break;
			}
		}
		writeCsvQuietly(report, csv);
		return report;
	}

	private BatchRow restoreOne(final BatchJob job, final InputCollector.InputFile in, final int index,
		final int count, final Map<Path, Path> claimedOutputs, final BatchListener listener)
	{
		final long start = System.nanoTime();
		final Path file = in.file();
		final OutputNames out = new OutputNames(job.outputDir().resolve(in.subfolder()), file.getFileName().toString(),
			job.options().scale(), job.format());
		final Path earlier = claimedOutputs.putIfAbsent(out.image().toAbsolutePath().normalize(), file);
		if (earlier != null) {
			return BatchRow.failed(file, "", 0, "same output name as " + earlier.getFileName() +
				" (" + out.image().getFileName() + "); rename one of them");
		}
		if (!job.overwrite() && out.complete(job.options().fidelityMap())) {
			return new BatchRow(file, "", "", 0, BatchStatus.SKIPPED, "output exists (overwrite is off)", out.image());
		}
		ImagePlus input = null;
		RestoreResult result = null;
		String sizeIn = "";
		try {
			input = ImageFiles.open(file);
			sizeIn = ImageFiles.describe(input);
			if (job.format() == OutputFormat.PNG) {
				final String problem = ImageFiles.pngProblem(input, job.options().float32Output());
				if (problem != null) return BatchRow.failed(file, sizeIn, seconds(start), problem);
			}
			result = restorer.restore(input, job.options(), tileProgress(index, count, listener));
			if (result == null || result.image() == null) throw new RestoreException("the restoration returned no image");
			write(result, out, job.format());
			return new BatchRow(file, sizeIn, ImageFiles.describe(result.image()), seconds(start), BatchStatus.OK, "",
				out.image());
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
			close(input);
			if (result != null) {
				close(result.image());
				result.fidelityMap().ifPresent(BatchRestorer::close);
			}
		}
	}

	/** Image first, fidelity map next, sidecar last: a set is complete exactly when its sidecar exists. */
	private static void write(final RestoreResult result, final OutputNames out, final OutputFormat format)
		throws IOException
	{
		writeOutputs(result, out, format, null);
	}

	/**
	 * Writes one result's files as a batch does (image, fidelity map, sidecar last; each atomically), with
	 * temporary names of their own for this writer ({@link AtomicOutput#temporaryName(Path, String)}), for
	 * runners where two copies of one task may write at once.
	 */
	public static void writeOutputs(final RestoreResult result, final OutputNames out, final OutputFormat format,
		final String writerTag) throws IOException
	{
		AtomicOutput.write(out.image(), p -> ImageFiles.save(result.image(), p, format), writerTag);
		if (result.fidelityMap().isPresent()) {
			final ImagePlus map = result.fidelityMap().get();
			AtomicOutput.write(out.fidelityMap(), p -> ImageFiles.save(map, p, OutputFormat.TIF), writerTag);
		}
		final String json = result.provenance() == null ? "{}\n" : result.provenance().toJson();
		AtomicOutput.writeString(out.sidecar(), json, writerTag);
	}

	private static ProgressListener tileProgress(final int index, final int count, final BatchListener listener) {
		return new ProgressListener() {

			@Override
			public void progress(final long done, final long total, final String message) {
				listener.fileProgress(index, count, done, total);
			}

			@Override
			public boolean isCancelled() {
				return listener.isCancelled();
			}
		};
	}

	private static void writeCsvQuietly(final BatchReport report, final Path csv) {
		try {
			report.writeCsv(csv);
		}
		catch (final IOException e) {
			// the output folder itself is unwritable: every row already says so; nothing more to do here
		}
	}

	private static double seconds(final long start) {
		return (System.nanoTime() - start) / 1e9;
	}

	private static void close(final ImagePlus imp) {
		if (imp == null) return;
		imp.changes = false;
		imp.flush();
	}
}
