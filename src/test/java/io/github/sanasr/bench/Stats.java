package io.github.sanasr.bench;

import java.util.Arrays;

/** Median and spread of repeated measurements (the harness reports median and min-max, as issue 6 asks). */
public record Stats(double median, double min, double max, int n) {

	public static Stats of(final double... samples) {
		if (samples.length == 0) throw new IllegalArgumentException("no samples");
		final double[] s = samples.clone();
		Arrays.sort(s);
		final int n = s.length;
		final double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
		return new Stats(median, s[0], s[n - 1], n);
	}

	/** Half the min-max range relative to the median: a quick noise figure for the tables. */
	public double spread() {
		return median == 0 ? 0 : (max - min) / 2 / median;
	}
}
