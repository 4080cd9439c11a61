package io.github.sanasr.batch;

import java.nio.file.Path;

/**
 * One line of the summary: which file, its size in and out ("WxH" plus "xC", "xZ", "xT" where above 1),
 * seconds spent, status and a message for the user. {@code output} is the main output path (null when none).
 */
public record BatchRow(Path file, String sizeIn, String sizeOut, double seconds, BatchStatus status, String message,
	Path output)
{
	public static BatchRow failed(final Path file, final String sizeIn, final double seconds, final String message) {
		return new BatchRow(file, sizeIn, "", seconds, BatchStatus.FAILED, message, null);
	}
}
