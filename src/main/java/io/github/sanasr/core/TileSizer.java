package io.github.sanasr.core;

import java.lang.management.ManagementFactory;

/**
 * Chooses the tile size from the memory a forward pass may use and the model's measured peak bytes per output
 * pixel ({@code bytes_per_output_pixel} in its descriptor), and proposes smaller tiles after an out-of-memory
 * error.
 */
public final class TileSizer {

	/**
	 * Largest automatic tile (input pixels). Bigger tiles gain nothing on a CPU and cost page faults: one tile of a
	 * whole 512-px plane (528 px with margins) spent 3.1 s of system time in 1.24 million minor faults per run,
	 * against 0.5-0.7 s for tiles of at most 280-384 px, whose largest tensors (48 feature channels) stay below the
	 * 32 MiB up to which glibc keeps freed memory for reuse instead of returning it to the system.
	 */
	public static final int MAX_AUTO_TILE = 384;
	/** Share of the free memory a forward pass may take; the rest is for the images and the system. */
	static final double MEMORY_SHARE = 0.5;

	private TileSizer() {}

	/**
	 * @param deviceFreeBytes free bytes on the accelerator, or -1 for the CPU (then the machine's free
	 *          physical memory, else the free Java heap, is used: libtorch allocates outside the heap)
	 */
	public static int auto(final long deviceFreeBytes, final long bytesPerOutputPixel, final int scale, final int stride,
		final int halo)
	{
		final long free = deviceFreeBytes > 0 ? deviceFreeBytes : cpuFreeBytes();
		return fromBudget((long) (free * MEMORY_SHARE), bytesPerOutputPixel, scale, stride, halo);
	}

	/** The largest stride-aligned square tile whose output fits the budget, within [minimum, MAX_AUTO_TILE]. */
	public static int fromBudget(final long budgetBytes, final long bytesPerOutputPixel, final int scale,
		final int stride, final int halo)
	{
		final double outPixels = budgetBytes / (double) Math.max(1, bytesPerOutputPixel);
		final int side = (int) Math.floor(Math.sqrt(outPixels) / scale);
		final int tile = side / stride * stride;
		return Math.max(TilePlan.minimumTile(stride, halo), Math.min(tile, MAX_AUTO_TILE / stride * stride));
	}

	/** Half the tile (stride-aligned), or -1 when the tile is already the smallest possible. */
	public static int smaller(final int tile, final int stride, final int halo) {
		final int min = TilePlan.minimumTile(stride, halo);
		if (tile <= min) return -1;
		return Math.max(min, tile / 2 / stride * stride);
	}

	static long cpuFreeBytes() {
		final Runtime rt = Runtime.getRuntime();
		final long heapFree = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		try {
			final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
			if (os instanceof com.sun.management.OperatingSystemMXBean) {
				final long physical = ((com.sun.management.OperatingSystemMXBean) os).getFreeMemorySize();
				if (physical > 0) return physical;
			}
		}
		catch (final RuntimeException | LinkageError e) {
			// not a HotSpot-like JVM: fall back to the heap
		}
		return heapFree;
	}
}
