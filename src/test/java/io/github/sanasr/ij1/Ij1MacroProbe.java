package io.github.sanasr.ij1;

import io.github.sanasr.command.CommandParameters;

/**
 * TEST-ONLY: what the ImageJ 1.x plugins make of a macro's options string, without ImageJ running: the same
 * parsing ({@link Ij1Parameters#fromMacro}) and validation ({@link SuperResolvePlugin#restoreOptions}; for the
 * folder plugin, the calls its {@code run} makes, in its order) as {@code run(...)}. Public for the fuzz in
 * another package.
 */
public final class Ij1MacroProbe {

	private Ij1MacroProbe() {}

	/**
	 * A {@code RestoreOptions} (single image) or {@code BatchJob} (folder); IllegalArgumentException with the
	 * message the plugin would show.
	 */
	public static Object parse(final boolean folder, final String options) {
		if (folder) {
			final Ij1Parameters p = Ij1Parameters.fromMacro(CommandParameters.FOLDER_COMMAND, CommandParameters.FOLDER,
				options);
			final java.util.List<java.nio.file.Path> inputs = new java.util.ArrayList<>();
			if (!p.string(CommandParameters.INPUT).isBlank()) inputs.add(java.nio.file.Paths.get(p.string(
				CommandParameters.INPUT)));
			final String out = p.string(CommandParameters.OUTPUT);
			return CommandParameters.batchJob(inputs, p.string(CommandParameters.PATTERN), p.bool(CommandParameters.RECURSIVE),
				out.isBlank() ? null : java.nio.file.Paths.get(out), p.choice(CommandParameters.FORMAT), p.bool(
					CommandParameters.OVERWRITE), SuperResolvePlugin.restoreOptions(p));
		}
		return SuperResolvePlugin.restoreOptions(Ij1Parameters.fromMacro(CommandParameters.SINGLE_COMMAND,
			CommandParameters.SINGLE, options));
	}
}
