package io.github.sanasr.cli;

import java.io.PrintStream;
import java.util.List;

/** TEST-ONLY: the command line run in this JVM ({@link SanaSrMain#run}), for the fuzz in another package. */
public final class CliProbe {

	private CliProbe() {}

	/** The exit status {@code sana-sr args} would end with; output and errors to the given streams. */
	public static int run(final List<String> args, final PrintStream out, final PrintStream err) {
		return SanaSrMain.run(args, out, err);
	}
}
