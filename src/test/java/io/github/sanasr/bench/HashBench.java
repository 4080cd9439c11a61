package io.github.sanasr.bench;

import io.github.sanasr.batch.InputFingerprint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the resume identity's input fingerprint costs (issue 17): SHA-256 of input files of several sizes, read
 * from the page cache (a rerun reads what the first run read), against the alternative of size and modification
 * time (one stat). Writes {@code input-hash.json} and {@code input-hash.md} into the output folder.
 * {@code java ... io.github.sanasr.bench.HashBench [--out bench/results] [--sizes-mib 1,16,256] [--reps 5]}
 */
public final class HashBench {

	private HashBench() {}

	public static void main(final String[] a) throws Exception {
		final Map<String, String> args = Args.parse(a);
		final Path out = Path.of(args.getOrDefault("out", "bench/results"));
		final int reps = Integer.parseInt(args.getOrDefault("reps", "5"));
		final List<Map<String, Object>> rows = new ArrayList<>();
		final Path dir = Files.createTempDirectory("sanasr-hashbench");
		try {
			for (final String s : args.getOrDefault("sizes-mib", "1,16,256").split(",")) {
				final int mib = Integer.parseInt(s.trim());
				final Path f = dir.resolve(mib + ".bin");
				final byte[] block = new byte[1 << 20];
				new Random(mib).nextBytes(block);
				try (java.io.OutputStream o = Files.newOutputStream(f)) {
					for (int i = 0; i < mib; i++)
						o.write(block);
				}
				InputFingerprint.of(f); // warm-up: JIT, page cache
				final double[] hash = new double[reps], stat = new double[reps];
				for (int r = 0; r < reps; r++) {
					long t0 = System.nanoTime();
					InputFingerprint.of(f);
					hash[r] = (System.nanoTime() - t0) / 1e9;
					t0 = System.nanoTime();
					Files.size(f);
					Files.getLastModifiedTime(f);
					stat[r] = (System.nanoTime() - t0) / 1e9;
				}
				final Map<String, Object> row = new LinkedHashMap<>();
				row.put("file_mib", mib);
				row.put("reps", reps);
				row.put("sha256_median_s", median(hash));
				row.put("sha256_mib_per_s", mib / median(hash));
				row.put("size_mtime_median_s", median(stat));
				rows.add(row);
				Files.delete(f);
			}
		}
		finally {
			Files.deleteIfExists(dir);
		}
		final Map<String, Object> root = new LinkedHashMap<>();
		root.put("machine", Machine.describe("HashBench " + String.join(" ", a)));
		root.put("results", rows);
		Files.createDirectories(out);
		Tables.writeJson(out.resolve("input-hash.json"), root);
		final List<List<String>> table = new ArrayList<>();
		for (final Map<String, Object> r : rows)
			table.add(List.of(String.valueOf(r.get("file_mib")), Tables.f("%.4f", Tables.num(r, "sha256_median_s")),
				Tables.f("%.0f", Tables.num(r, "sha256_mib_per_s")), Tables.f("%.6f", Tables.num(r, "size_mtime_median_s"))));
		final StringBuilder md = new StringBuilder("# Input fingerprint: SHA-256 against size + mtime\n\n");
		Machine.describe("HashBench " + String.join(" ", a)).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
		md.append('\n').append(Tables.markdown(List.of("file MiB", "SHA-256 median s", "MiB/s", "size+mtime median s"),
			table));
		Files.writeString(out.resolve("input-hash.md"), md.toString());
		System.out.print(md);
	}

	private static double median(final double[] v) {
		final double[] s = v.clone();
		Arrays.sort(s);
		return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
	}
}
