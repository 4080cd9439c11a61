package io.github.sanasr.ij1;

import static io.github.sanasr.command.CommandParameters.FORMAT;
import static io.github.sanasr.command.CommandParameters.INPUT;
import static io.github.sanasr.command.CommandParameters.OUTPUT;
import static io.github.sanasr.command.CommandParameters.OVERWRITE;
import static io.github.sanasr.command.CommandParameters.PATTERN;
import static io.github.sanasr.command.CommandParameters.RECURSIVE;

import ij.IJ;
import ij.plugin.PlugIn;
import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.BatchListener;
import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRestorer;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.ImageRestorer;
import io.github.sanasr.batch.InvalidJobException;
import io.github.sanasr.command.CommandParameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Plugins › SANA-SR › Super-resolve folder (SANA-SR) in plain ImageJ 1.x: the counterpart of
 * {@link io.github.sanasr.command.SuperResolveFolderCommand}, with the same parameters
 * ({@link CommandParameters#FOLDER}), running the same {@link BatchRestorer} (atomic outputs, sidecars, summary
 * CSV, one bad file never stops the others).
 */
public class SuperResolveFolderPlugin implements PlugIn {

	@Override
	public void run(final String arg) {
		final String cmd = CommandParameters.FOLDER_COMMAND;
		final Ij1Parameters p;
		final BatchJob job;
		try {
			final String macro = Ij1Host.noGui() && Ij1Parameters.macroOptions() == null ? ""
				: Ij1Parameters.macroOptions();
			p = macro != null ? Ij1Parameters.fromMacro(cmd, CommandParameters.FOLDER, macro)
				: Ij1Parameters.fromDialog(cmd, CommandParameters.FOLDER, SuperResolvePlugin.NOTE +
					" An existing output is skipped only if made from the same input, model and options (a stopped batch" +
					" resumes); one made otherwise is a conflict, left untouched unless 'overwrite' is ticked.");
			if (p == null) return;
			final List<Path> inputs = new ArrayList<>();
			if (!p.string(INPUT).isBlank()) inputs.add(Paths.get(p.string(INPUT)));
			final String out = p.string(OUTPUT);
			job = CommandParameters.batchJob(inputs, p.string(PATTERN), p.bool(RECURSIVE), out.isBlank() ? null
				: Paths.get(out), p.choice(FORMAT), p.bool(OVERWRITE), SuperResolvePlugin.restoreOptions(p));
			Files.createDirectories(job.outputDir());
		}
		catch (final IllegalArgumentException e) {
			Ij1Host.fail(cmd, e.getMessage());
			return;
		}
		catch (final IOException e) {
			Ij1Host.fail(cmd, "Cannot create the output folder: " + e.getMessage());
			return;
		}
		IJ.resetEscape();
		Ij1Host.withPluginClassLoader(() -> {
			final BatchReport[] done = new BatchReport[1];
			final String[] invalid = new String[1];
			try (ImageRestorer r = ImageRestorer.core(IJ::log)) {
				Ij1Host.withoutMacroErrorRouting(() -> {
					try {
						done[0] = new BatchRestorer(r).run(job, new Listener());
					}
					catch (final InvalidJobException e) {
						invalid[0] = e.getMessage();
					}
				});
			}
			catch (final RuntimeException | LinkageError e) {
				Ij1Host.fail(cmd, "Internal error (please report): " + e);
				return;
			}
			finally {
				Ij1Host.clearProgress();
			}
			if (invalid[0] != null) { // the whole job cannot run: one message, not one failure per file
				Ij1Host.fail(cmd, invalid[0]);
				return;
			}
			final BatchReport report = done[0];
			for (final BatchRow f : report.failures())
				IJ.log("SANA-SR: " + f.problemLine());
			final Path csv = job.outputDir().resolve(BatchReport.CSV_NAME);
			IJ.log("SANA-SR batch: " + report.summaryLine() + "; summary in " + csv);
			IJ.showStatus("SANA-SR batch: " + report.summaryLine());
			if (!Ij1Host.noGui()) report.toResultsTable().show(BatchReport.TABLE_TITLE);
			if (report.cancelled()) Ij1Host.fail(cmd, "Cancelled (Esc) before the end: " + report.summaryLine() +
				". Run it again to resume; finished files are skipped.");
			else p.record(cmd);
		});
	}

	/** File progress to the status line, tiles to the progress bar; Esc cancels between tiles. */
	private static final class Listener implements BatchListener {

		@Override
		public void fileStarted(final int index, final int count, final Path file) {
			IJ.showStatus("SANA-SR: " + file.getFileName() + " (" + (index + 1) + "/" + count + ", Esc cancels)");
		}

		@Override
		public void fileProgress(final int index, final int count, final long tilesDone, final long tilesTotal) {
			if (tilesTotal > 0) IJ.showProgress((index + (double) tilesDone / tilesTotal) / count);
		}

		@Override
		public boolean isCancelled() {
			return IJ.escapePressed() || Thread.currentThread().isInterrupted();
		}
	}
}
