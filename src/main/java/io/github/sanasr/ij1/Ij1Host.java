package io.github.sanasr.ij1;

import ij.IJ;
import ij.Macro;
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
		if (noGui()) {
			IJ.log("SANA-SR error (" + command + "): " + message);
			if (inMacro) Macro.abort();
		}
		else IJ.error(TITLE, command + ": " + message); // also aborts a macro
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
