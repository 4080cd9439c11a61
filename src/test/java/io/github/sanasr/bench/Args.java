package io.github.sanasr.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value} and {@code --flag} arguments; bare words are collected under "" in order. */
final class Args {

	private Args() {}

	static Map<String, String> parse(final String[] args) {
		final Map<String, String> m = new LinkedHashMap<>();
		final List<String> positional = new ArrayList<>();
		for (int i = 0; i < args.length; i++) {
			if (args[i].startsWith("--")) {
				final String key = args[i].substring(2);
				if (i + 1 < args.length && !args[i + 1].startsWith("--")) m.put(key, args[++i]);
				else m.put(key, "true");
			}
			else positional.add(args[i]);
		}
		m.put("", String.join("\n", positional));
		return m;
	}

	static List<String> positional(final Map<String, String> m) {
		final String p = m.getOrDefault("", "");
		return p.isEmpty() ? List.of() : List.of(p.split("\n"));
	}

	static String required(final Map<String, String> m, final String key) {
		final String v = m.get(key);
		if (v == null || v.equals("true")) throw new IllegalArgumentException("--" + key + " is required");
		return v;
	}

	static int[] ints(final String csv) {
		final String[] p = csv.split(",");
		final int[] r = new int[p.length];
		for (int i = 0; i < p.length; i++)
			r[i] = Integer.parseInt(p[i].trim());
		return r;
	}
}
