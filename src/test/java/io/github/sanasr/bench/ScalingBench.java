package io.github.sanasr.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 6 item 2, linear scaling: time and peak memory per output pixel of the network on one tile, from
 * 256² to 2048² output, for two models in one run (the shipped linear-attention model and the same model with
 * softmax attention). Flat within 15% (max/min of the per-pixel figure over the sizes at most 1.15) is the
 * target for linear attention. Writes {@code scaling.json/.csv/.md/.png} into the output folder.
 *
 * <pre>
 * bench/run-scaling.sh MODEL_A MODEL_B... [--threads 2] [--sizes 64,128,256,512] [--warmup 1] [--reps 3] [--min-seconds 2]
 *                      [--heap 2g] [--out bench/results] [--tag scaling]
 * </pre>
 */
public final class ScalingBench {

	/** The tolerance of issue 6: per-pixel cost flat within 15% over the sizes. */
	static final double FLAT = 0.15;

	private ScalingBench() {}

	public static void main(final String[] args) throws Exception {
		final Map<String, String> a = Args.parse(args);
		final List<String> models = Args.positional(a);
		if (models.isEmpty() || a.containsKey("help")) {
			System.err.println("usage: bench/run-scaling.sh MODEL_A [MODEL_B...] [--threads 2] [--sizes 64,128,256,512] " +
				"[--warmup 1] [--reps 3] [--heap 2g] [--out bench/results] [--tag scaling]");
			System.exit(2);
		}
		final int threads = Integer.parseInt(a.getOrDefault("threads",
			Integer.toString(Runtime.getRuntime().availableProcessors())));
		final int[] sizes = Args.ints(a.getOrDefault("sizes", "64,128,256,512"));
		final String warmup = a.getOrDefault("warmup", "1"), reps = a.getOrDefault("reps", "3");
		final String heap = a.getOrDefault("heap", "2g");
		final Path outDir = Path.of(a.getOrDefault("out", "bench/results"));
		final String tag = a.getOrDefault("tag", "scaling");
		final Map<String, Object> machine = Machine.describe(System.getProperty("sanasr.bench.command",
			"ScalingBench " + String.join(" ", args)));

		final List<Map<String, Object>> records = new ArrayList<>();
		for (final String m : models)
			for (final int s : sizes) {
				System.err.printf("scaling bench: %s, %d thread(s), input %d² (output %d²)%n", m, threads, s, 4 * s);
				final List<Map<String, Object>> r = ChildJvm.tileBench(threads, heap, "--model", m, "--size",
					Integer.toString(s), "--warmup", warmup, "--reps", reps, "--modes", "model", "--min-seconds", a.getOrDefault("min-seconds", "2"));
				r.forEach(x -> x.put("model_spec", Tables.repoPath(m)));
				records.addAll(r);
			}
		final List<Series> series = Series.of(records);
		final Map<String, Object> root = new LinkedHashMap<>();
		root.put("machine", machine);
		root.put("records", records);
		root.put("flat_tolerance", FLAT);
		final List<Map<String, Object>> verdicts = new ArrayList<>();
		for (final Series s : series) {
			final Map<String, Object> v = new LinkedHashMap<>();
			v.put("model", s.label);
			v.put("time_per_pixel_max_over_min", s.spread(s.nsPerPixel));
			v.put("memory_per_pixel_max_over_min", s.spread(s.bytesPerPixel));
			verdicts.add(v);
		}
		root.put("verdicts", verdicts);
		Tables.writeJson(outDir.resolve(tag + ".json"), root);
		Tables.writeCsv(outDir.resolve(tag + ".csv"), records);
		final Path png = outDir.resolve(tag + ".png");
		ScalingPlot.write(series, png, "per output pixel, relative to the smallest tile (" + Machine.cpuModel() + ", " +
			threads + " thread(s))");
		final String md = markdown(machine, series, png.getFileName().toString());
		Files.writeString(outDir.resolve(tag + ".md"), md);
		System.out.print(md);
	}

	static String markdown(final Map<String, Object> machine, final List<Series> series, final String png) {
		final StringBuilder sb = new StringBuilder("## Linear scaling: time and memory per output pixel\n\n");
		sb.append(Machine.markdown(machine)).append('\n');
		sb.append("Network alone (SrModel.predict) on one square tile, fresh JVM per size. Time: median of the runs; ")
			.append("memory: peak resident set during the runs minus the resident set before them. ")
			.append("Relative = per-pixel value over that of the smallest tile. Marginal = extra peak memory per extra ")
			.append("output pixel from the previous size (fixed costs cancel out).\n\n");
		final List<List<String>> rows = new ArrayList<>();
		for (final Series s : series)
			for (int i = 0; i < s.outputSide.size(); i++)
				rows.add(List.of(s.label, s.outputSide.get(i) + "²", Tables.f("%.1f", s.nsPerPixel.get(i)),
					Tables.f("%.2f", s.relative(s.nsPerPixel, i)), Tables.f("%.0f", s.bytesPerPixel.get(i)),
					Tables.f("%.2f", s.relative(s.bytesPerPixel, i)), i == 0 ? "—" : Tables.f("%.0f", s.marginalBytes(i)),
					Tables.f("%.3f", s.seconds.get(i))));
		sb.append(Tables.markdown(List.of("model", "output", "ns / output px", "relative", "peak RSS Δ bytes / output px",
			"relative", "marginal bytes / added px", "median s per tile"), rows));
		sb.append('\n');
		for (final Series s : series) {
			final double t = s.spread(s.nsPerPixel), m = s.spread(s.bytesPerPixel);
			sb.append("- ").append(s.label).append(": time per pixel max/min ").append(Tables.f("%.2f", t))
				.append(verdict(t)).append(", memory per pixel max/min ")
				.append(Tables.f("%.2f", m)).append(verdict(m)).append('\n');
		}
		sb.append("\n![scaling](").append(png).append(")\n");
		return sb.toString();
	}

	static String verdict(final double maxOverMin) {
		if (!Double.isFinite(maxOverMin)) return " (not measurable: a peak did not rise above the baseline)";
		return maxOverMin <= 1 + FLAT ? " (flat within 15%)" : " (not flat within 15%)";
	}

	/** One model's measurements ordered by size. */
	static final class Series {
		final String label;
		final List<Integer> outputSide = new ArrayList<>();
		final List<Double> nsPerPixel = new ArrayList<>(), bytesPerPixel = new ArrayList<>(), seconds = new ArrayList<>();

		Series(final String label) {
			this.label = label;
		}

		static List<Series> of(final List<Map<String, Object>> records) {
			final Map<String, Series> m = new LinkedHashMap<>();
			for (final Map<String, Object> r : records) {
				final String label = r.get("model") + " (" + r.get("model_file") + ")";
				final Series s = m.computeIfAbsent(label, Series::new);
				s.outputSide.add(Tables.integer(r, "output_side"));
				s.nsPerPixel.add(Tables.num(r, "ns_per_output_pixel"));
				s.bytesPerPixel.add(Tables.num(r, "rss_bytes_per_output_pixel"));
				s.seconds.add(Tables.num(r, "median_s"));
			}
			return new ArrayList<>(m.values());
		}

		/** max/min of a per-pixel figure over the sizes; NaN when any is not positive (a peak lost in noise). */
		double spread(final List<Double> v) {
			if (v.isEmpty() || v.stream().anyMatch(x -> !(x > 0))) return Double.NaN;
			final double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
			final double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
			return max / min;
		}

		/**
		 * Extra peak memory per extra output pixel from the previous size to this one: free of the fixed costs
		 * that dominate small tiles; constant for memory linear in the pixels, growing for quadratic attention.
		 */
		double marginalBytes(final int i) {
			final double a = (double) outputSide.get(i - 1) * outputSide.get(i - 1), b = (double) outputSide.get(i) * outputSide.get(i);
			return (bytesPerPixel.get(i) * b - bytesPerPixel.get(i - 1) * a) / (b - a);
		}

		/** The i-th value over the first (smallest tile); NaN when either is not positive. */
		double relative(final List<Double> v, final int i) {
			return v.get(0) > 0 && v.get(i) > 0 ? v.get(i) / v.get(0) : Double.NaN;
		}
	}
}
