package io.github.sanasr.ij1;

import ij.IJ;
import ij.Macro;
import ij.macro.Interpreter;
import ij.plugin.frame.Recorder;
import io.github.sanasr.core.ProgressListener;

/**
 * What the two ImageJ 1.x plugins share about their host: messages (a dialog with a GUI, an {@code IJ.log}
 * line without one, and a stopped macro either way, so a macro never goes on to save the wrong image),
 * progress on ImageJ's progress bar and status line, cancel by Esc, and the thread context class loader that
 * DJL needs to find its engine in ImageJ 1.x's plugin class loader.
 */
final class Ij1Host {

	static final String TITLE = "SANA-SR";

	private Ij1Host() {}

	/** True when ImageJ runs without its window ({@code -batch}, headless): messages go to the log. */
	static boolean noGui() {
		return IJ.getInstance() == null || java.awt.GraphicsEnvironment.isHeadless();
	}

	/** A failure or cancel: says what happened and what to do, stops a running macro, records nothing. */
	static void fail(final String command, final String message) {
		if (Recorder.record && command.equals(Recorder.getCommand())) Recorder.setCommand(null);
		final boolean inMacro = Macro.getOptions() != null || Thread.currentThread().getName().startsWith("Run$_");
		if (noGui()) IJ.log("SANA-SR error (" + command + "): " + message);
		else IJ.error(TITLE, command + ": " + message);
		// IJ.error's own Macro.abort() stops only threads named "...Macro$"; this stops the macro in every case
		if (inMacro && Interpreter.getInstance() != null) Interpreter.abort();
	}

	/** Runs {@code body} with this plugin's class loader as context class loader (DJL looks there). */
	static void withPluginClassLoader(final Runnable body) {
		final Thread t = Thread.currentThread();
		final ClassLoader before = t.getContextClassLoader();
		t.setContextClassLoader(Ij1Host.class.getClassLoader());
		try {
			body.run();
		}
		finally {
			t.setContextClassLoader(before);
		}
	}

	/**
	 * Runs {@code body} so that an {@code IJ.error} inside ImageJ's own code (its TIFF reader says "FileOpener"
	 * errors that way for a corrupt file) does not abort the calling macro with a modal "Macro Error" dialog:
	 * while {@code run(...)} executes a command, ImageJ 1.x routes every {@code IJ.error} to the macro's
	 * interpreter, which would stop a batch at its first bad file and, in -batch mode, wait on a dialog that
	 * nobody can close. The batch reads files with {@code IJ.redirectErrorMessages}, so such errors become log
	 * lines and failed rows instead. The interpreter is restored afterwards.
	 */
	static void withoutMacroErrorRouting(final Runnable body) {
		java.lang.reflect.Field field = null;
		Object saved = null;
		try {
			field = IJ.class.getDeclaredField("macroInterpreter");
			field.setAccessible(true);
			saved = field.get(null);
			field.set(null, null);
		}
		catch (final ReflectiveOperationException | RuntimeException e) {
			field = null; // another ImageJ version: run as is
		}
		try {
			body.run();
		}
		finally {
			if (field != null) {
				try {
					field.set(null, saved);
				}
				catch (final ReflectiveOperationException | RuntimeException e) {
					// nothing to restore
				}
			}
		}
	}

	/** Tile progress to ImageJ's progress bar and status line; Esc cancels between tiles. */
	static ProgressListener progress(final String what) {
		return new ProgressListener() {

			@Override
			public void progress(final long done, final long total, final String message) {
				if (total > 0) IJ.showProgress((double) done / total);
				IJ.showStatus(what + ": " + message + " (Esc cancels)");
			}

			@Override
			public boolean isCancelled() {
				return IJ.escapePressed() || Thread.currentThread().isInterrupted();
			}
		};
	}

	static void clearProgress() {
		IJ.showProgress(1.0);
	}
}
