package io.github.sanasr.bench;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link TileBench} in a fresh JVM (same java, same class path) with a given libtorch thread count, and
 * collects its {@code BENCH} records. The child's other output goes to our stderr, so a failure shows why.
 */
final class ChildJvm {

	private ChildJvm() {}

	static List<Map<String, Object>> tileBench(final int threads, final String heap, final String... args)
		throws IOException, InterruptedException
	{
		final List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// a fixed, pre-touched heap: its pages are resident from the start, so the growth of the resident set
		// during a measured section is native memory (libtorch), not the Java heap being touched for the first time
		cmd.add("-Xms" + heap);
		cmd.add("-Xmx" + heap);
		cmd.add("-XX:+AlwaysPreTouch");
		cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
		cmd.add("-Dai.djl.offline=true");
		cmd.add("-Djava.awt.headless=true");
		cmd.add("-Dslf4j.internal.verbosity=ERROR");
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(TileBench.class.getName());
		cmd.addAll(List.of(args));
		final ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
		// OMP_NUM_THREADS would make DjlSetup defer to OpenMP; the property set above decides alone
		pb.environment().remove("OMP_NUM_THREADS");
		final Process p = pb.start();
		final List<Map<String, Object>> records = new ArrayList<>();
		final Gson gson = new Gson();
		try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line; (line = r.readLine()) != null;) {
				if (line.startsWith(TileBench.PREFIX)) records.add(gson.fromJson(line.substring(TileBench.PREFIX.length()),
					new TypeToken<LinkedHashMap<String, Object>>() {}.getType()));
				else System.err.println(line);
			}
		}
		final int exit = p.waitFor();
		if (exit != 0) throw new IOException("benchmark JVM failed (exit " + exit + "): " + String.join(" ", cmd));
		return records;
	}

	static String classPathNote() {
		return System.getProperty("java.class.path").split(File.pathSeparator).length + " class path entries";
	}
}
