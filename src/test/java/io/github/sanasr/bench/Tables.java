package io.github.sanasr.bench;

import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Writes result records as JSON, CSV and Markdown, and formats numbers for people. */
final class Tables {

	private Tables() {}

	static void writeJson(final Path file, final Object root) throws IOException {
		Files.createDirectories(file.toAbsolutePath().getParent());
		Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
			.toJson(root) + "\n");
	}

	/** All keys of all records as columns, in first-seen order. */
	static void writeCsv(final Path file, final List<Map<String, Object>> records) throws IOException {
		final Set<String> cols = new LinkedHashSet<>();
		records.forEach(r -> cols.addAll(r.keySet()));
		final StringBuilder sb = new StringBuilder(String.join(",", cols)).append('\n');
		for (final Map<String, Object> r : records) {
			final List<String> cells = new ArrayList<>();
			for (final String c : cols) cells.add(csv(r.get(c)));
			sb.append(String.join(",", cells)).append('\n');
		}
		Files.createDirectories(file.toAbsolutePath().getParent());
		Files.writeString(file, sb.toString());
	}

	private static String csv(final Object v) {
		if (v == null) return "";
		String s = v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : v.toString();
		if (s.contains(",") || s.contains("\"")) s = "\"" + s.replace("\"", "\"\"") + "\"";
		return s;
	}

	/** A Markdown table from a header and rows of cells. */
	/**
	 * A path as the committed result files name it: relative to the working directory (bench-java.sh runs in the
	 * repository root, after making file arguments absolute), not this machine's absolute path.
	 */
	static String repoPath(final String path) {
		final java.nio.file.Path p = java.nio.file.Path.of(path).toAbsolutePath().normalize();
		final java.nio.file.Path root = java.nio.file.Path.of("").toAbsolutePath();
		return p.startsWith(root) ? root.relativize(p).toString() : path;
	}

	static String markdown(final List<String> header, final List<List<String>> rows) {
		final StringBuilder sb = new StringBuilder("| " + String.join(" | ", header) + " |\n|");
		header.forEach(h -> sb.append("---|"));
		sb.append('\n');
		rows.forEach(r -> sb.append("| ").append(String.join(" | ", r)).append(" |\n"));
		return sb.toString();
	}

	static double num(final Map<String, Object> r, final String key) {
		final Object v = r.get(key);
		return v instanceof Number n ? n.doubleValue() : Double.NaN;
	}

	static int integer(final Map<String, Object> r, final String key) {
		return (int) Math.round(num(r, key));
	}

	static String f(final String pattern, final double v) {
		return Double.isFinite(v) ? String.format(Locale.ROOT, pattern, v) : "n/a";
	}

	static String mib(final double bytes) {
		final String s = f("%.0f", bytes / 1048576.0);
		return (s.equals("-0") ? "0" : s) + " MiB";
	}

	static String side(final Map<String, Object> r, final String key) {
		final int s = integer(r, key);
		return s + "²";
	}
}
