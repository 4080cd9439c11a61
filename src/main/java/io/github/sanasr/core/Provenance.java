package io.github.sanasr.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ordered key/value record of how an output was made. The same keys go into the image's Info text and
 * properties, and into the batch runner's JSON sidecar. (Skeleton: the core fills and renders it.)
 */
public final class Provenance {

	private final LinkedHashMap<String, String> entries = new LinkedHashMap<>();

	public Provenance put(final String key, final Object value) {
		entries.put(key, String.valueOf(value));
		return this;
	}

	public Map<String, String> entries() {
		return Collections.unmodifiableMap(entries);
	}

	/** Lines "key: value", as ImageJ shows them in Image > Show Info. */
	public String toInfoText() {
		final StringBuilder sb = new StringBuilder();
		entries.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
		return sb.toString();
	}

	/** A flat JSON object of strings. */
	public String toJson() {
		final StringBuilder sb = new StringBuilder("{\n");
		int i = 0;
		for (final Map.Entry<String, String> e : entries.entrySet()) {
			sb.append("  ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
			sb.append(++i < entries.size() ? ",\n" : "\n");
		}
		return sb.append("}\n").toString();
	}

	private static String quote(final String s) {
		final StringBuilder sb = new StringBuilder("\"");
		for (final char c : s.toCharArray()) {
			switch (c) {
				case '"': sb.append("\\\""); break;
				case '\\': sb.append("\\\\"); break;
				case '\n': sb.append("\\n"); break;
				case '\r': sb.append("\\r"); break;
				case '\t': sb.append("\\t"); break;
				default:
					if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
					else sb.append(c);
			}
		}
		return sb.append('"').toString();
	}
}
