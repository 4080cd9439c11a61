package io.github.sanasr.command;

import ij.IJ;
import io.github.sanasr.core.ProgressListener;

import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import org.scijava.app.StatusService;
import org.scijava.task.Task;

/**
 * A SciJava command's progress: to the status bar (message shaped by {@code statusText}) and its task; cancelled
 * by the task, an interrupt, ImageJ's Esc key or the command's own cancel flag. Shared by the restore and adapt
 * commands; either service may be missing (headless).
 */
final class TaskProgress implements ProgressListener {

	private final StatusService status;
	private final Task task;
	private final UnaryOperator<String> statusText;
	private final BooleanSupplier commandCanceled;

	TaskProgress(final StatusService status, final Task task, final UnaryOperator<String> statusText,
		final BooleanSupplier commandCanceled)
	{
		this.status = status;
		this.task = task;
		this.statusText = statusText;
		this.commandCanceled = commandCanceled;
	}

	@Override
	public void progress(final long done, final long total, final String message) {
		if (status != null) status.showStatus((int) Math.min(done, Integer.MAX_VALUE), (int) Math.min(total,
			Integer.MAX_VALUE), statusText.apply(message));
		if (task != null) {
			task.setProgressMaximum(total);
			task.setProgressValue(done);
			task.setStatusMessage(message);
		}
	}

	@Override
	public boolean isCancelled() {
		return (task != null && task.isCanceled()) || Thread.currentThread().isInterrupted() || escapePressed() ||
			commandCanceled.getAsBoolean();
	}

	private static boolean escapePressed() {
		try {
			return IJ.escapePressed();
		}
		catch (final RuntimeException | LinkageError e) {
			return false;
		}
	}
}
