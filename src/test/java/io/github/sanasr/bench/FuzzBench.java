package io.github.sanasr.bench;

import io.github.sanasr.fuzz.FuzzReport;
import io.github.sanasr.fuzz.Fuzzer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 17's fuzz, as long as wanted: {@code bench/fuzz.sh [--cases N] [--seed S] [--results bench/RESULTS.md]}.
 * The same cases as CI's {@code FuzzTest} for the same seed (CI runs the first 1,200 of seed 20261203). Prints
 * the outcome counts and every violation; with {@code --results}, replaces the fuzz section of that Markdown
 * file (or appends one) with the counts, the machine and the date. Exit status 1 when any case broke a promise.
 */
public final class FuzzBench {


	private FuzzBench() {}

	public static void main(final String[] argv) throws Exception {
		final Map<String, String> a = Args.parse(argv);
		final int cases = Integer.parseInt(a.getOrDefault("cases", "5000"));
		final long seed = Long.parseLong(a.getOrDefault("seed", "20261203"));
		final String results = a.get("results");
		final Path work = Files.createTempDirectory("sanasr-fuzz");
		final FuzzReport report;
		try {
			report = new Fuzzer(seed, work, System.out::println).run(cases);
		}
		finally {
			Fuzzer.delete(work);
		}
		System.out.println(report.summary());
		if (results != null) writeSection(Path.of(results), report, cases, seed);
		System.exit(report.violations().isEmpty() ? 0 : 1);
	}

	private static void writeSection(final Path file, final FuzzReport r, final int cases, final long seed)
		throws Exception
	{
		final Map<String, Object> m = Machine.describe(System.getProperty("sanasr.bench.command", "FuzzBench"));
		final String run = String.format(Locale.ROOT, "%d cases, seed %d, %.1f s on %s (%s cores available, JVM %s), %s; " +
			"command: `%s`", cases, seed, r.seconds(), m.get("cpu"), m.get("cores_available"), m.get("java"), m.get("date"),
			m.get("command"));
		final String heading = String.format(Locale.ROOT, "## Fuzz: %,d random cases, seed %d (issue 17)%s", cases, seed,
			cases == 1200 && seed == 20261203L ? ": the cases CI runs (FuzzTest)" : "");
		final String body = heading + "\n\n" + run + "\n\n" + r.table() + "\n" + (r.violations().isEmpty()
			? "No violations: every case ended within its time limit with a correct output or one clear error and left its input unmodified.\n"
			: r.violations().size() + " violations; the first: " + r.violations().get(0).replace("\n", " ") + "\n");
		final String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
		final String marker = "<!-- fuzz:" + cases + ":" + seed + " -->";
		final int at = text.indexOf(marker);
		final String updated;
		if (at >= 0) {
			final int end = text.indexOf("<!-- /fuzz -->", at);
			updated = text.substring(0, at) + marker + "\n" + body + text.substring(end);
		}
		else updated = text + (text.endsWith("\n") ? "" : "\n") + "\n" + marker + "\n" + body + "<!-- /fuzz -->\n";
		Files.writeString(file, updated, StandardCharsets.UTF_8);
		System.out.println("wrote " + file);
	}
}
