package io.github.sanasr.ij1;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses an ImageJ 1.x macro options string ({@code key=value key=[value with spaces] flag}) into keys and
 * values. A bare key (ImageJ 1.x's way to tick a checkbox) maps to {@code null}. Pure, so it is unit-tested.
 */
final class MacroOptions {

	private MacroOptions() {}

	static Map<String, String> parse(final String options) {
		final Map<String, String> map = new LinkedHashMap<>();
		if (options == null) return map;
		final String s = options;
		int i = 0;
		final int n = s.length();
		while (i < n) {
			while (i < n && Character.isWhitespace(s.charAt(i)))
				i++;
			if (i >= n) break;
			final int keyStart = i;
			while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i)))
				i++;
			final String key = s.substring(keyStart, i).toLowerCase(java.util.Locale.ROOT);
			if (i < n && s.charAt(i) == '=') {
				i++;
				final String value;
				if (i < n && s.charAt(i) == '[') {
					final int close = s.indexOf(']', i + 1);
					if (close < 0) throw new IllegalArgumentException("Unclosed '[' in the value of '" + key + "'");
					value = s.substring(i + 1, close);
					i = close + 1;
				}
				else {
					final int start = i;
					while (i < n && !Character.isWhitespace(s.charAt(i)))
						i++;
					value = s.substring(start, i);
				}
				map.put(key, value);
			}
			else map.put(key, null);
		}
		return map;
	}
}
