package io.github.sanasr.batch;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, for one input whose outputs may already exist, whether a rerun restores it, skips it or refuses
 * to touch it. An existing output is skipped only when its sidecar records the identity this run would
 * record: the same input file (size and SHA-256), model SHA-256, resolved prompt and every pixel-changing
 * option ({@link io.github.sanasr.core.RestoreOptions#pixelOptions()}). Anything else - another model,
 * another prompt, a changed input, an output without a sidecar, which this tool never leaves under a final
 * name - is a conflict: the file is left untouched and the user is told to pass overwrite.
 */
public final class ResumeCheck {

	public enum Kind { RESTORE, SKIP, CONFLICT }

	/** What to do with one input, and why (the summary's message). */
	public record Decision(Kind kind, String message) {}

	private ResumeCheck() {}

	/**
	 * As {@link #decide(OutputNames, Map, boolean, boolean)}, reading the input file's fingerprint only when
	 * there is an output to compare it with.
	 * @param identity the restorer's part of the identity ({@link ImageRestorer#identity})
	 */
	public static Decision decide(final OutputNames out, final Path input, final Map<String, String> identity,
		final boolean withFidelityMap, final boolean overwrite) throws IOException
	{
		if (overwrite || !Files.exists(out.image())) return new Decision(Kind.RESTORE, "");
		final Map<String, String> expected = new LinkedHashMap<>(identity);
		expected.putAll(InputFingerprint.of(input).entries());
		return decide(out, expected, withFidelityMap, overwrite);
	}

	/**
	 * @param expected the identity this run would record (the restorer's and the input file's entries)
	 */
	public static Decision decide(final OutputNames out, final Map<String, String> expected,
		final boolean withFidelityMap, final boolean overwrite)
	{
		if (overwrite || !Files.exists(out.image())) return new Decision(Kind.RESTORE, "");
		if (!Files.isRegularFile(out.sidecar())) return conflict("made by an unknown tool (it has no sidecar " +
			out.sidecar().getFileName() + ")", "");
		final Map<String, String> recorded;
		try {
			recorded = read(out.sidecar());
		}
		catch (final IOException | JsonParseException | IllegalStateException e) {
			return conflict("made by an unknown tool (its sidecar " + out.sidecar().getFileName() + " is unreadable)", "");
		}
		final List<String> differences = new ArrayList<>();
		for (final Map.Entry<String, String> e : expected.entrySet()) {
			final String there = recorded.get(e.getKey());
			if (!e.getValue().equals(there)) differences.add(e.getKey() + " " + (there == null ? "not recorded" :
				"'" + shorten(there) + "'") + " there, '" + shorten(e.getValue()) + "' in this run");
		}
		if (!differences.isEmpty()) return conflict("made by " + maker(recorded), " (" + String.join("; ",
			differences) + ")");
		// the set is this run's own; only a fidelity map asked for and deleted since is missing: make it again
		if (withFidelityMap && !Files.isRegularFile(out.fidelityMap())) return new Decision(Kind.RESTORE, "");
		return new Decision(Kind.SKIP, "output exists, made from the same input, model and options");
	}

	/** "CONFLICT file: made by <model version, SHA prefix>, not by this run; use --overwrite" */
	private static Decision conflict(final String madeBy, final String detail) {
		return new Decision(Kind.CONFLICT, madeBy + ", not by this run; use --overwrite" + detail);
	}

	private static String maker(final Map<String, String> r) {
		final String sha = r.get("model_sha256");
		final StringBuilder sb = new StringBuilder();
		if (r.containsKey("model_name")) sb.append(r.get("model_name"));
		else if (r.containsKey("model")) sb.append(r.get("model"));
		else sb.append("an unnamed model");
		if (r.containsKey("model_version")) sb.append(' ').append(r.get("model_version"));
		sb.append(", SHA-256 ").append(sha == null ? "unknown" : sha.substring(0, Math.min(12, sha.length())));
		return sb.toString();
	}

	private static String shorten(final String s) {
		return s.length() <= 40 ? s : s.substring(0, 12) + "…";
	}

	/** A sidecar: a flat JSON object of strings. */
	static Map<String, String> read(final Path sidecar) throws IOException {
		final JsonElement root = JsonParser.parseString(Files.readString(sidecar, StandardCharsets.UTF_8));
		final JsonObject o = root.getAsJsonObject();
		final Map<String, String> m = new LinkedHashMap<>();
		for (final Map.Entry<String, JsonElement> e : o.entrySet())
			m.put(e.getKey(), e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : e.getValue().toString());
		return m;
	}
}
