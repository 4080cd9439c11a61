package io.github.sanasr.fuzz;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Counts of the fuzz's outcomes per family of cases, and every violation with the case that caused it. */
public final class FuzzReport {

	/** What a case ended with. The first two are the acceptable ones. */
	public enum Outcome {
		CORRECT_OUTPUT("correct output"), CLEAR_ERROR("one clear error"), VIOLATION("violation");

		final String words;

		Outcome(final String words) {
			this.words = words;
		}
	}

	private final Map<Fuzzer.Family, int[]> counts = new EnumMap<>(Fuzzer.Family.class);
	private final Map<Fuzzer.Family, Double> familySeconds = new EnumMap<>(Fuzzer.Family.class);
	private final List<String> violations = new ArrayList<>();
	private final long seed;
	private double seconds, slowestCase;
	private String slowest = "";

	FuzzReport(final long seed) {
		this.seed = seed;
	}

	void add(final Fuzzer.Family family, final Outcome outcome, final String what, final double caseSeconds) {
		counts.computeIfAbsent(family, f -> new int[Outcome.values().length])[outcome.ordinal()]++;
		if (outcome == Outcome.VIOLATION) violations.add(what);
		familySeconds.merge(family, caseSeconds, Double::sum);
		if (caseSeconds > slowestCase) {
			slowestCase = caseSeconds;
			slowest = family + " " + what.lines().findFirst().orElse("");
		}
	}

	void seconds(final double s) {
		seconds = s;
	}

	public List<String> violations() {
		return violations;
	}

	public int total() {
		return counts.values().stream().mapToInt(c -> c[0] + c[1] + c[2]).sum();
	}

	public int count(final Outcome o) {
		return counts.values().stream().mapToInt(c -> c[o.ordinal()]).sum();
	}

	public int count(final Fuzzer.Family f, final Outcome o) {
		final int[] c = counts.get(f);
		return c == null ? 0 : c[o.ordinal()];
	}

	public double seconds() {
		return seconds;
	}

	/** A Markdown table: one row per family, then the totals. */
	public String table() {
		final StringBuilder b = new StringBuilder();
		b.append("| family of cases | correct output | one clear error | violation | total | seconds |\n");
		b.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
		for (final Fuzzer.Family f : Fuzzer.Family.values()) {
			final int[] c = counts.getOrDefault(f, new int[3]);
			b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %.1f |\n", f.words, c[0], c[1], c[2],
				c[0] + c[1] + c[2], familySeconds.getOrDefault(f, 0.0)));
		}
		b.append(String.format(Locale.ROOT, "| **all** | **%d** | **%d** | **%d** | **%d** | %.1f |\n",
			count(Outcome.CORRECT_OUTPUT), count(Outcome.CLEAR_ERROR), count(Outcome.VIOLATION), total(), seconds));
		return b.toString();
	}

	/** The lines printed in the test log. */
	public String summary() {
		return String.format(Locale.ROOT, "FUZZ seed=%d cases=%d correct_output=%d clear_error=%d violations=%d " +
			"seconds=%.1f slowest_case=%.2fs (%s)%n", seed, total(), count(Outcome.CORRECT_OUTPUT),
			count(Outcome.CLEAR_ERROR), count(Outcome.VIOLATION), seconds, slowestCase, slowest) + table();
	}
}
