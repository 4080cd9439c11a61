package io.github.sanasr.core;

import ij.ImagePlus;

import java.util.LinkedHashMap;
import java.util.Map;

/** Collects the normalisation values of every plane, per channel, for the provenance. */
final class NormalisationRecord {

	private final boolean colour;
	private final boolean multiChannel;
	private final Map<String, double[]> ranges = new LinkedHashMap<>(); // label -> minLow, maxLow, minHigh, maxHigh, planes

	NormalisationRecord(final ImagePlus input, final PlaneSource source) {
		colour = source.components() == 3;
		multiChannel = input.getNChannels() > 1;
	}

	void add(final int c, final int[] group, final Normalizer n) {
		final StringBuilder label = new StringBuilder(multiChannel || !colour ? "c" + c : "");
		if (colour) {
			if (label.length() > 0) label.append(' ');
			for (final int k : group)
				label.append("RGB".charAt(k));
		}
		final double[] r = ranges.computeIfAbsent(label.toString(), k -> new double[] { Double.POSITIVE_INFINITY,
			Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0 });
		r[0] = Math.min(r[0], n.low());
		r[1] = Math.max(r[1], n.low());
		r[2] = Math.min(r[2], n.high());
		r[3] = Math.max(r[3], n.high());
		r[4]++;
	}

	/** e.g. "c1: 3 to 250; c2: low 0-4, high 1200-1800 over 12 planes". */
	String text() {
		final StringBuilder sb = new StringBuilder();
		ranges.forEach((label, r) -> {
			if (sb.length() > 0) sb.append("; ");
			sb.append(label).append(": ");
			if (r[0] == r[1] && r[2] == r[3]) sb.append(Restorer.fmt(r[0])).append(" to ").append(Restorer.fmt(r[2]));
			else sb.append("low ").append(Restorer.fmt(r[0])).append(" to ").append(Restorer.fmt(r[1])).append(", high ")
				.append(Restorer.fmt(r[2])).append(" to ").append(Restorer.fmt(r[3])).append(" over ")
				.append((long) r[4]).append(" planes");
		});
		return sb.toString();
	}
}
