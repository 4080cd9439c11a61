package io.github.sanasr.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak memory of this process over a measured section. Native memory: Linux's peak resident set
 * ({@code VmHWM} in /proc/self/status), which writing "5" to /proc/self/clear_refs resets to the current RSS,
 * so each section gets its own peak. Java heap: the sum of the heap pools' peak usages since their reset (an
 * upper bound of the true heap peak, since pools peak at different moments).
 */
public final class MemoryProbe {

	private static final Path STATUS = Path.of("/proc/self/status");
	private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

	private long baselineRss;
	private boolean peakResettable;

	/**
	 * Collects garbage, hands freed native memory back to the system (glibc keeps freed blocks of earlier runs,
	 * which a later allocation would reuse without raising the resident set), resets all peaks and remembers the
	 * resident set as the baseline.
	 */
	public void start() {
		System.gc();
		trimNativeHeap();
		for (final MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
			if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
		try {
			Files.writeString(CLEAR_REFS, "5");
			peakResettable = true;
		}
		catch (final IOException | UnsupportedOperationException | SecurityException e) {
			peakResettable = false; // then VmHWM is the peak since the JVM started: still an upper bound
		}
		baselineRss = statusBytes("VmRSS");
	}

	/**
	 * glibc's {@code malloc_trim(0)} through JNA (which DJL already brings), looked up reflectively so the
	 * harness does not depend on JNA at compile time; a no-op elsewhere.
	 */
	static boolean trimNativeHeap() {
		try {
			final Class<?> lib = Class.forName("com.sun.jna.NativeLibrary");
			final Object c = lib.getMethod("getInstance", String.class).invoke(null, "c");
			final Object f = lib.getMethod("getFunction", String.class).invoke(c, "malloc_trim");
			f.getClass().getMethod("invokeInt", Object[].class).invoke(f, (Object) new Object[] { 0 });
			return true;
		}
		catch (final ReflectiveOperationException | LinkageError | RuntimeException e) {
			return false;
		}
	}

	/** Resident set before the section, bytes. */
	public long baselineRss() {
		return baselineRss;
	}

	/** Peak resident set since {@link #start} (or since JVM start when the peak could not be reset), bytes. */
	public long peakRss() {
		return statusBytes("VmHWM");
	}

	/** Whether {@link #peakRss} covers only the section. */
	public boolean peakResettable() {
		return peakResettable;
	}

	/** Sum of the heap pools' peak usages since {@link #start}, bytes. */
	public static long peakHeap() {
		long sum = 0;
		for (final MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
			if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
		return sum;
	}

	/** A "kB" line of /proc/self/status in bytes, or -1 where there is none (not Linux). */
	static long statusBytes(final String key) {
		try {
			for (final String line : Files.readAllLines(STATUS)) {
				if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		catch (final IOException | NumberFormatException e) {
			// not Linux: no native figures
		}
		return -1;
	}
}
