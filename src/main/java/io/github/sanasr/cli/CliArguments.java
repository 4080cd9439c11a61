package io.github.sanasr.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The launcher's own syntax: {@code INPUT... --output DIR [--model NAME|PATH] [--scale 4] [--tile N|auto]
 * [--device auto|cpu|gpu] [--precision auto|float32|bfloat16] [--prompt P] [--format tif|png] [--fidelity-map] [--consistency] [--overwrite] [--pattern GLOB]
 * [--recursive] [--float32] [--low-percentile P] [--high-percentile P]}; values as the next word or after '='. Turned into the folder command's inputs, with the
 * same names and string forms a macro uses.
 */
public final class CliArguments {

	/** A command line that cannot be run; the message says what is wrong. */
	public static final class UsageException extends Exception {

		private static final long serialVersionUID = 1L;

		public UsageException(final String message) {
			super(message);
		}
	}

	private static final Set<String> VALUED = Set.of("output", "model", "scale", "tile", "device", "precision",
		"prompt", "format", "pattern", "low-percentile", "high-percentile");
	private static final Set<String> FLAGS = Set.of("fidelity-map", "consistency", "overwrite", "recursive", "float32");

	private final List<Path> inputs = new ArrayList<>();
	private final Map<String, String> values = new LinkedHashMap<>();
	private final Set<String> flags = new java.util.HashSet<>();

	private CliArguments() {}

	public static CliArguments parse(final List<String> args) throws UsageException {
		final CliArguments a = new CliArguments();
		boolean onlyInputs = false;
		for (int i = 0; i < args.size(); i++) {
			final String arg = args.get(i);
			if (onlyInputs || !arg.startsWith("--")) {
				a.inputs.add(Path.of(arg));
				continue;
			}
			if (arg.equals("--")) {
				onlyInputs = true;
				continue;
			}
			final int eq = arg.indexOf('=');
			final String name = (eq < 0 ? arg.substring(2) : arg.substring(2, eq)).toLowerCase(Locale.ROOT);
			if (FLAGS.contains(name)) {
				if (eq >= 0) throw new UsageException("--" + name + " takes no value");
				a.flags.add(name);
			}
			else if (VALUED.contains(name)) {
				final String value;
				if (eq >= 0) value = arg.substring(eq + 1);
				else if (i + 1 < args.size()) value = args.get(++i);
				else throw new UsageException("--" + name + " needs a value");
				a.values.put(name, value);
			}
			else {
				throw new UsageException("unknown option " + arg + " (see --help)");
			}
		}
		if (a.inputs.isEmpty()) throw new UsageException("no INPUT given (files or folders to restore)");
		if (!a.values.containsKey("output")) throw new UsageException("--output DIR is required");
		return a;
	}

	public List<Path> inputs() {
		return inputs;
	}

	public Path output() {
		return Path.of(values.get("output"));
	}

	/**
	 * The folder command's inputs: strings for everything, as a macro would pass them, so the command's own
	 * conversion and validation apply (a bad --scale fails exactly like a bad {@code scale=} in a macro).
	 */
	public Map<String, Object> commandInputs() throws UsageException {
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("input", inputs.get(0).toFile());
		m.put("output", output().toFile());
		put(m, "model", values.get("model"));
		if (values.containsKey("scale")) {
			try {
				m.put("scale", Integer.parseInt(values.get("scale").trim()));
			}
			catch (final NumberFormatException e) {
				throw new UsageException("--scale must be 2, 3 or 4, not '" + values.get("scale") + "'");
			}
		}
		put(m, "tile", values.get("tile"));
		put(m, "device", values.get("device") == null ? null : values.get("device").toLowerCase(Locale.ROOT));
		put(m, "precision", values.get("precision") == null ? null : values.get("precision").toLowerCase(Locale.ROOT));
		put(m, "prompt", values.get("prompt"));
		put(m, "format", values.get("format") == null ? null : values.get("format").toLowerCase(Locale.ROOT));
		put(m, "pattern", values.get("pattern"));
		putNumber(m, "low_percentile", "low-percentile");
		putNumber(m, "high_percentile", "high-percentile");
		m.put("fidelity_map", flags.contains("fidelity-map"));
		m.put("consistency", flags.contains("consistency"));
		m.put("float32", flags.contains("float32"));
		m.put("overwrite", flags.contains("overwrite"));
		m.put("recursive", flags.contains("recursive"));
		return m;
	}

	private void putNumber(final Map<String, Object> m, final String key, final String option) throws UsageException {
		final String v = values.get(option);
		if (v == null) return;
		try {
			m.put(key, Double.parseDouble(v.trim()));
		}
		catch (final NumberFormatException e) {
			throw new UsageException("--" + option + " must be a number, not '" + v + "'");
		}
	}

	private static void put(final Map<String, Object> m, final String key, final String value) {
		if (value != null) m.put(key, value);
	}
}
