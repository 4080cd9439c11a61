package io.github.sanasr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a result was measured on: CPU model, cores, memory, load, JVM, date (issue 6: machine, date, command). */
final class Machine {

	private Machine() {}

	static Map<String, Object> describe(final String command) {
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
		m.put("command", command);
		m.put("cpu", cpuModel());
		m.put("cores_available", Runtime.getRuntime().availableProcessors());
		m.put("memory_total_gib", Math.round(MemoryProbeTotal.totalBytes() / 1073741824.0 * 10) / 10.0);
		m.put("load_average_at_start", loadAverage());
		m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
		m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
		return m;
	}

	static String cpuModel() {
		try {
			for (final String l : Files.readAllLines(Path.of("/proc/cpuinfo")))
				if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
		}
		catch (final IOException e) {
			// not Linux
		}
		return System.getProperty("os.arch");
	}

	static String loadAverage() {
		try {
			final String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return p[0] + " " + p[1] + " " + p[2];
		}
		catch (final IOException | RuntimeException e) {
			return "unknown";
		}
	}

	/** Physical memory, from the OS bean where the JVM offers it. */
	static final class MemoryProbeTotal {
		static long totalBytes() {
			final java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
				.getOperatingSystemMXBean();
			if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getTotalMemorySize();
			return -1;
		}
	}

	/** The machine block as Markdown lines. */
	static String markdown(final Map<String, Object> m) {
		final StringBuilder sb = new StringBuilder();
		m.forEach((k, v) -> sb.append("- ").append(k.replace('_', ' ')).append(": `").append(v).append("`\n"));
		return sb.toString();
	}
}
