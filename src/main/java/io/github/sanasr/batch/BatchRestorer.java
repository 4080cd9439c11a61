package io.github.sanasr.batch;

import io.github.sanasr.core.ProgressListener;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores many files, one after the other, and never lets one bad file stop the others. The job is checked
 * before the first file ({@link JobCheck}); a job that cannot run throws {@link InvalidJobException}. For each
 * file, under its output lock ({@link OutputLocks}), {@link ResumeCheck} decides: restore, skip (its outputs
 * were made from the same input, model and options) or conflict (an output this run did not make; left
 * untouched). A file whose output another run is writing right now is put off to the end, then decided once
 * that run lets go. Outputs are written atomically, image last ({@link FileRestoration}); the summary CSV
 * is rewritten after every file, so even a killed overnight run leaves a record.
 */
public final class BatchRestorer {

	/** How often a put-off file looks again whether the other run has finished it. */
	private static final long WAIT_POLL_MS = 100;

	private final ImageRestorer restorer;

	/** @param restorer the restoration to apply; the caller keeps ownership (and closes it). */
	public BatchRestorer(final ImageRestorer restorer) {
		this.restorer = restorer;
	}

	public BatchReport run(final BatchJob job, final BatchListener listener) throws InvalidJobException {
		final Map<String, String> identity = JobCheck.check(job, restorer);
		final BatchReport report = new BatchReport();
		final InputCollector.Inputs inputs = InputCollector.collect(job);
		inputs.problems().forEach(report::add);
		final List<InputCollector.InputFile> files = inputs.files();
		final Map<Path, Path> claimedOutputs = new HashMap<>();
		final Path csv = job.outputDir().resolve(BatchReport.CSV_NAME);
		try (OutputLocks locks = new OutputLocks(job.outputDir())) {
			final Map<Integer, InputCollector.InputFile> putOff = new LinkedHashMap<>();
			boolean stopped = false;
			for (int i = 0; i < files.size() && !stopped; i++) {
				if (listener.isCancelled()) {
					stopped = true;
					break;
				}
				final BatchRow row = next(job, files, i, identity, locks, claimedOutputs, listener, false);
				if (row == null) putOff.put(i, files.get(i));
				else stopped = record(report, row, i, files.size(), listener, csv);
			}
			for (final Map.Entry<Integer, InputCollector.InputFile> e : putOff.entrySet()) {
				if (stopped || listener.isCancelled()) {
					stopped = true;
					break;
				}
				final BatchRow row = next(job, files, e.getKey(), identity, locks, claimedOutputs, listener, true);
				stopped = row == null || record(report, row, e.getKey(), files.size(), listener, csv);
			}
			if (stopped) report.markCancelled();
		}
		catch (final IOException e) {
			throw new InvalidJobException("Cannot write to the output folder " + job.outputDir() + ": " + e);
		}
		writeCsvQuietly(report, csv);
		return report;
	}

	/** One file's row; null when it was put off (another run holds its output) or the wait was cancelled. */
	private BatchRow next(final BatchJob job, final List<InputCollector.InputFile> files, final int i,
		final Map<String, String> identity, final OutputLocks locks, final Map<Path, Path> claimedOutputs,
		final BatchListener listener, final boolean wait) throws IOException
	{
		final InputCollector.InputFile in = files.get(i);
		final Path file = in.file();
		final OutputNames out = new OutputNames(job.outputDir().resolve(in.subfolder()), file.getFileName().toString(),
			job.options().scale(), job.format());
		if (!wait) {
			final Path earlier = claimedOutputs.putIfAbsent(out.image().toAbsolutePath().normalize(), file);
			if (earlier != null) {
				listener.fileStarted(i, files.size(), file);
				return BatchRow.failed(file, "", 0, "same output name as " + earlier.getFileName() + " (" +
					out.image().getFileName() + "); rename one of them");
			}
		}
		FileLock lock = locks.tryLock(out.image());
		while (lock == null && wait) {
			if (listener.isCancelled()) return null;
			try {
				Thread.sleep(WAIT_POLL_MS);
			}
			catch (final InterruptedException e) {
				Thread.currentThread().interrupt();
				return null;
			}
			lock = locks.tryLock(out.image());
		}
		if (lock == null) return null;
		try {
			listener.fileStarted(i, files.size(), file);
			return decideAndRestore(job, file, out, identity, tileProgress(i, files.size(), listener));
		}
		finally {
			lock.release();
		}
	}

	private BatchRow decideAndRestore(final BatchJob job, final Path file, final OutputNames out,
		final Map<String, String> identity, final ProgressListener progress)
	{
		final InputFingerprint input;
		try {
			input = InputFingerprint.of(file);
		}
		catch (final IOException e) {
			return BatchRow.failed(file, "", 0, "could not be read: " + e.getMessage());
		}
		final Map<String, String> expected = new LinkedHashMap<>(identity);
		expected.putAll(input.entries());
		final ResumeCheck.Decision d = ResumeCheck.decide(out, expected, job.options().fidelityMap(), job.overwrite());
		switch (d.kind()) {
			case SKIP:
				return new BatchRow(file, "", "", 0, BatchStatus.SKIPPED, d.message(), out.image());
			case CONFLICT:
				return BatchRow.conflict(file, d.message(), out.image());
			default:
				return FileRestoration.run(file, out, job, restorer, progress, input, null);
		}
	}

	/** Adds a finished file's row; true when the batch must stop (the user cancelled inside the file). */
	private static boolean record(final BatchReport report, final BatchRow row, final int index, final int count,
		final BatchListener listener, final Path csv)
	{
		report.add(row);
		listener.fileFinished(index, count, row);
		writeCsvQuietly(report, csv);
		return row.status() == BatchStatus.CANCELLED;
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
}
