package io.github.sanasr.model;

/**
 * Settings that must be in place before DJL's engine first loads: offline (never download anything; the CPU
 * libtorch is bundled in the jar), and libtorch's thread count following the machine.
 */
final class DjlSetup {

	private DjlSetup() {}

	private static volatile boolean done;

	static synchronized void ensure() {
		if (done) return;
		System.setProperty("ai.djl.offline", "true");
		final String threads = Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors()));
		if (System.getProperty("ai.djl.pytorch.num_threads") == null && System.getenv("OMP_NUM_THREADS") == null) {
			System.setProperty("ai.djl.pytorch.num_threads", threads);
		}
		// One inference at a time per restoration: inter-op parallelism only adds threads.
		if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
			System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
		}
		done = true;
	}
}
