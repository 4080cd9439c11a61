package io.github.sanasr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Cold start as a user meets it: the command-line launcher ({@code ./sana-sr IMAGE --output DIR --model M}) run
 * as a fresh process, timed from outside: from process start until the output file appears (the batch writes
 * to a temporary name and renames, so the final name appears complete), and until the process exits.
 */
final class ColdStart {

	private ColdStart() {}

	static Map<String, Object> measure(final Path launcher, final String model, final Path image, final int runs,
		final int threads) throws IOException, InterruptedException
	{
		final double[] firstOutput = new double[runs], exit = new double[runs];
		final String name = image.getFileName().toString().replaceFirst("\\.[^.]+$", "") + "-SANA-SR-x4.tif";
		final String precision; // the named file itself: precision=auto could run its bfloat16 variant instead
		try {
			precision = new io.github.sanasr.model.ModelRegistry().resolve(model).precision();
		}
		catch (final io.github.sanasr.model.ModelException e) {
			throw new IOException(e.getMessage(), e);
		}
		for (int i = 0; i < runs; i++) {
			final Path out = Files.createTempDirectory("sanasr-cold-");
			try {
				final ProcessBuilder pb = new ProcessBuilder(launcher.toString(), image.toString(), "--output", out.toString(),
					"--model", model, "--device", "cpu", "--precision", precision).redirectErrorStream(true)
						.redirectOutput(ProcessBuilder.Redirect.DISCARD);
				final String opts = pb.environment().getOrDefault("SANASR_JAVA_OPTS", "");
				pb.environment().put("SANASR_JAVA_OPTS", (opts + " -Dai.djl.pytorch.num_threads=" + threads).trim());
				pb.environment().remove("OMP_NUM_THREADS");
				final long t0 = System.nanoTime();
				final Process p = pb.start();
				long seen = -1;
				while (p.isAlive()) {
					if (seen < 0 && Files.exists(out.resolve(name))) seen = System.nanoTime();
					Thread.sleep(5);
				}
				final long end = System.nanoTime();
				if (seen < 0 && Files.exists(out.resolve(name))) seen = end;
				if (p.exitValue() != 0 || seen < 0) throw new IOException("launcher run failed (exit " + p.exitValue() +
					"): " + String.join(" ", pb.command()));
				firstOutput[i] = (seen - t0) / 1e9;
				exit[i] = (end - t0) / 1e9;
			}
			finally {
				try (Stream<Path> s = Files.walk(out)) {
					s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
				}
			}
		}
		final Stats f = Stats.of(firstOutput), e = Stats.of(exit);
		final Map<String, Object> r = new LinkedHashMap<>();
		r.put("launcher", Tables.repoPath(launcher.toString()));
		r.put("image", Tables.repoPath(image.toString()));
		r.put("threads", threads);
		r.put("runs", runs);
		r.put("first_output_median_s", f.median());
		r.put("first_output_min_s", f.min());
		r.put("first_output_max_s", f.max());
		r.put("exit_median_s", e.median());
		r.put("exit_min_s", e.min());
		r.put("exit_max_s", e.max());
		return r;
	}

	static List<Map<String, Object>> asList(final Map<String, Object> r) {
		final List<Map<String, Object>> l = new ArrayList<>();
		l.add(r);
		return l;
	}
}
