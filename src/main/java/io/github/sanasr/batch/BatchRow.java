package io.github.sanasr.batch;

import java.nio.file.Path;

/**
 * One line of the summary: which file, its size in and out ("WxH" plus "xC", "xZ", "xT" where above 1),
 * seconds spent, status and a message for the user. {@code output} is the main output path (null when none).
 */
public record BatchRow(Path file, String sizeIn, String sizeOut, double seconds, BatchStatus status, String message,
	Path output)
{
	/** An existing output this run did not make; {@code message} says who made it. */
	public static BatchRow conflict(final Path file, final String message, final Path output) {
		return new BatchRow(file, "", "", 0, BatchStatus.CONFLICT, message, output);
	}

	/** The line a host prints for a row that needs the user: "FAILED file: why", "CONFLICT file: made by ...". */
	public String problemLine() {
		return status.name() + " " + file + ": " + message;
	}

	public static BatchRow failed(final Path file, final String sizeIn, final double seconds, final String message) {
		return new BatchRow(file, sizeIn, "", seconds, BatchStatus.FAILED, message, null);
	}
}
