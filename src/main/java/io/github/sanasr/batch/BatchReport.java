package io.github.sanasr.batch;

import ij.measure.ResultsTable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The summary of a batch: one row per input, as a CSV file and an ImageJ results table. */
public final class BatchReport {

	public static final String CSV_NAME = "sanasr-summary.csv";
	public static final String TABLE_TITLE = "SANA-SR batch summary";
	static final String[] COLUMNS = { "file", "size_in", "size_out", "seconds", "status", "message", "output" };

	private final List<BatchRow> rows = new ArrayList<>();
	private boolean cancelled;

	/** A report of rows made elsewhere (e.g. by a distributed runner), in the order given. */
	public static BatchReport of(final List<BatchRow> rows) {
		final BatchReport r = new BatchReport();
		rows.forEach(r::add);
		return r;
	}

	void add(final BatchRow row) {
		rows.add(row);
	}

	void markCancelled() {
		cancelled = true;
	}

	public List<BatchRow> rows() {
		return Collections.unmodifiableList(rows);
	}

	/** True when the user stopped the batch before every file was done. */
	public boolean cancelled() {
		return cancelled;
	}

	public long count(final BatchStatus status) {
		return rows.stream().filter(r -> r.status() == status).count();
	}

	/** Rows the user must act on: failed files and conflicting outputs (either makes the exit status 1). */
	public List<BatchRow> failures() {
		return rows.stream().filter(r -> r.status() == BatchStatus.FAILED || r.status() == BatchStatus.CONFLICT).toList();
	}

	/** "3 restored, 1 skipped (already done), 2 failed", with ", 1 conflict(s)" when there are any */
	public String summaryLine() {
		String s = String.format(Locale.ROOT, "%d restored, %d skipped (already done), %d failed", count(BatchStatus.OK),
			count(BatchStatus.SKIPPED), count(BatchStatus.FAILED));
		final long conflicts = count(BatchStatus.CONFLICT);
		if (conflicts > 0) s += String.format(Locale.ROOT, ", %d conflict%s (outputs made by another run, left " +
			"untouched; overwrite replaces them)", conflicts, conflicts == 1 ? "" : "s");
		if (cancelled) s += ", cancelled before the end";
		return s;
	}

	public String toCsv() {
		final StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
		for (final BatchRow r : rows) {
			final String[] cells = cells(r);
			for (int i = 0; i < cells.length; i++) {
				if (i > 0) sb.append(',');
				sb.append(csv(cells[i]));
			}
			sb.append('\n');
		}
		return sb.toString();
	}

	public void writeCsv(final Path file) throws IOException {
		AtomicOutput.writeString(file, toCsv());
	}

	public ResultsTable toResultsTable() {
		final ResultsTable rt = new ResultsTable();
		for (final BatchRow r : rows) {
			rt.incrementCounter();
			final String[] cells = cells(r);
			for (int i = 0; i < COLUMNS.length; i++) {
				if (COLUMNS[i].equals("seconds")) rt.addValue("seconds", r.seconds());
				else rt.addValue(COLUMNS[i], cells[i]);
			}
		}
		return rt;
	}

	private static String[] cells(final BatchRow r) {
		return new String[] { String.valueOf(r.file()), r.sizeIn(), r.sizeOut(),
			String.format(Locale.ROOT, "%.2f", r.seconds()), r.status().label(), r.message() == null ? "" : r.message(),
			r.output() == null ? "" : r.output().toString() };
	}

	private static String csv(final String s) {
		if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
		return '"' + s.replace("\"", "\"\"") + '"';
	}
}
