package io.github.sanasr.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.fuzz.FuzzReport;
import io.github.sanasr.fuzz.Fuzzer;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's fuzz in CI: {@value #CASES} cases from a fixed seed (see {@link Fuzzer} for what they are and what
 * each must end with). The outcome counts are printed in the build log ({@code FUZZ ...} and a table) and
 * recorded in bench/RESULTS.md; {@code bench/fuzz.sh N} runs a longer fuzz. Every case must give a correct
 * output or one clear error; the test fails on the first violation with the cases' descriptions.
 */
class FuzzTest {

	static final long SEED = 20261203L;
	static final int CASES = 1200;

	@TempDir
	Path work;

	@Test
	void thousandsOfRandomCasesGiveACorrectOutputOrOneClearError() throws Exception {
		final Fuzzer fuzzer = new Fuzzer(SEED, work, System.out::println);
		final FuzzReport report = fuzzer.run(CASES);
		System.out.println(report.summary());
		assertEquals(CASES, report.total());
		assertTrue(report.violations().isEmpty(), report.violations().size() + " violations:\n" + String.join("\n",
			report.violations().subList(0, Math.min(20, report.violations().size()))));
		// the generator mixes outcomes: both kinds in numbers
		assertTrue(report.count(FuzzReport.Outcome.CORRECT_OUTPUT) >= CASES / 4, report.summary());
		assertTrue(report.count(FuzzReport.Outcome.CLEAR_ERROR) >= CASES / 4, report.summary());
	}
}
