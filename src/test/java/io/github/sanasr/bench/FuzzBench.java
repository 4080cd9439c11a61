package io.github.sanasr.bench;

import io.github.sanasr.fuzz.FuzzReport;
import io.github.sanasr.fuzz.Fuzzer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 17's fuzz, as long as wanted: {@code bench/fuzz.sh [--cases N] [--seed S] [--out bench/results]}. The
 * same cases as CI's {@code FuzzTest} for the same seed (CI runs the first 1,200 of seed 20261203). Prints the
 * outcome counts and every violation, and writes them with the machine and the date to
 * {@code <out>/fuzz-<N>.md}, which {@code bench/make_results.py} puts into bench/RESULTS.md. Exit status 1 when
 * any case broke a promise.
 */
public final class FuzzBench {

	private FuzzBench() {}

	public static void main(final String[] argv) throws Exception {
		final Map<String, String> a = Args.parse(argv);
		final int cases = Integer.parseInt(a.getOrDefault("cases", "5000"));
		final long seed = Long.parseLong(a.getOrDefault("seed", "20261203"));
		final Path out = Path.of(a.getOrDefault("out", "bench/results"));
		final Path work = Files.createTempDirectory("sanasr-fuzz");
		final FuzzReport report;
		try {
			report = new Fuzzer(seed, work, System.out::println).run(cases);
		}
		finally {
			Fuzzer.delete(work);
		}
		System.out.println(report.summary());
		write(out.resolve("fuzz-" + cases + ".md"), report, cases, seed);
		System.exit(report.violations().isEmpty() ? 0 : 1);
	}

	private static void write(final Path file, final FuzzReport r, final int cases, final long seed) throws Exception {
		final Map<String, Object> m = Machine.describe(System.getProperty("sanasr.bench.command", "FuzzBench"));
		final StringBuilder b = new StringBuilder();
		b.append(String.format(Locale.ROOT, "%,d random cases from seed %d%s: every case must end within its time limit " +
			"with a correct output (right size, type, calibration, provenance) or one clear error (no Java exception " +
			"name, no stack trace on stderr, no partial or temporary file), and leave its input unmodified.%n%n", cases,
			seed, cases == 1200 && seed == 20261203L ? " (the cases CI runs: `FuzzTest`)" : ""));
		for (final String k : new String[] { "date", "command", "cpu", "cores_available", "java" })
			b.append("- ").append(k.replace('_', ' ')).append(": `").append(m.get(k)).append("`\n");
		b.append(String.format(Locale.ROOT, "- wall time: %.1f s%n%n", r.seconds())).append(r.table()).append('\n');
		b.append(r.violations().isEmpty() ? "No violations.\n" : r.violations().size() + " violations; the first: " +
			r.violations().get(0).replace("\n", " ") + "\n");
		Files.createDirectories(file.toAbsolutePath().getParent());
		Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
		System.out.println("wrote " + file);
	}
}
