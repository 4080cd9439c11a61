package io.github.sanasr.cli;

import io.github.sanasr.batch.BatchListener;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.BatchStatus;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the launcher prints while a batch runs. On a terminal: a progress bar on stderr, redrawn in place
 * (files and tiles, elapsed time, estimate). Otherwise (a log file, a pipe, a test): one line per file on
 * stdout. Either way, each failure is one line on stderr: {@code FAILED <file>: <why>}, and each conflict:
 * {@code CONFLICT <file>: made by <model>, not by this run; use --overwrite}.
 */
final class TerminalProgress implements BatchListener {

	private static final int WIDTH = 30;
	private static final long REDRAW_NANOS = 200_000_000L;

	private final PrintStream out;
	private final PrintStream err;
	private final boolean bar;
	private final long start = System.nanoTime();
	private long lastDraw;
	private String current = "";
	private boolean drawn;

	TerminalProgress(final PrintStream out, final PrintStream err, final boolean bar) {
		this.out = out;
		this.err = err;
		this.bar = bar;
	}

	@Override
	public synchronized void fileStarted(final int index, final int count, final Path file) {
		current = file.getFileName().toString();
		if (bar) draw(index, count, 0, 0, true);
	}

	@Override
	public synchronized void fileProgress(final int index, final int count, final long tilesDone, final long tilesTotal) {
		if (bar) draw(index, count, tilesDone, tilesTotal, false);
	}

	@Override
	public synchronized void fileFinished(final int index, final int count, final BatchRow row) {
		clear();
		if (row.status() == BatchStatus.FAILED || row.status() == BatchStatus.CONFLICT) {
			err.println(failureLine(row));
			err.flush();
		}
		else if (!bar) {
			out.printf(Locale.ROOT, "[%d/%d] %s %s%s (%.1f s)%n", index + 1, count, row.status().label(), row.file(),
				row.output() == null ? "" : " -> " + row.output(), row.seconds());
			out.flush();
		}
	}

	static String failureLine(final BatchRow row) {
		return row.problemLine();
	}

	synchronized void finish() {
		clear();
	}

	private void draw(final int index, final int count, final long tilesDone, final long tilesTotal, final boolean force) {
		final long now = System.nanoTime();
		if (!force && now - lastDraw < REDRAW_NANOS) return;
		lastDraw = now;
		final double fraction = count == 0 ? 1 : (index + (tilesTotal > 0 ? (double) tilesDone / tilesTotal : 0)) / count;
		final int filled = (int) Math.round(fraction * WIDTH);
		final double elapsed = (now - start) / 1e9;
		final String eta = fraction > 0.01 ? " ETA " + duration(elapsed / fraction - elapsed) : "";
		final String tiles = tilesTotal > 0 ? String.format(Locale.ROOT, " tile %d/%d", tilesDone, tilesTotal) : "";
		final String line = String.format(Locale.ROOT, "\r[%s%s] %3.0f%% %d/%d %s%s %s%s", "#".repeat(filled),
			"-".repeat(WIDTH - filled), 100 * fraction, index + 1, count, shorten(current, 30), tiles,
			duration(elapsed), eta);
		err.print(line + "\u001b[K"); // erase the rest of the previous, longer line
		err.flush();
		drawn = true;
	}

	private void clear() {
		if (bar && drawn) {
			err.print("\r\u001b[K");
			err.flush();
			drawn = false;
		}
	}

	private static String shorten(final String s, final int max) {
		return s.length() <= max ? s : "…" + s.substring(s.length() - max + 1);
	}

	static String duration(final double seconds) {
		final long s = Math.max(0, Math.round(seconds));
		return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
			: String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
	}
}
