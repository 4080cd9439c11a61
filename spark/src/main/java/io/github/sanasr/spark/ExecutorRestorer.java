package io.github.sanasr.spark;

import io.github.sanasr.core.Restorer;

import java.util.logging.Logger;

/**
 * The per-JVM restorer of an executor, made on first use. The model itself is loaded once per JVM and device
 * (the core's model cache); every task opens its own predictor on it, since predictors must not be shared
 * between threads. Before the first load, libtorch's intra-op threads are set so that the tasks running at
 * once on this executor share its cores instead of each taking all of them.
 */
final class ExecutorRestorer {

	private static final Logger LOG = Logger.getLogger(ExecutorRestorer.class.getName());
	private static volatile Restorer restorer;
	private static volatile int threads;

	private ExecutorRestorer() {}

	/**
	 * @param executorCores cores this executor has (local[N]: N)
	 * @param taskCpus cores Spark reserves per task (spark.task.cpus)
	 */
	static Restorer get(final int executorCores, final int taskCpus) {
		Restorer r = restorer;
		if (r != null) return r;
		synchronized (ExecutorRestorer.class) {
			if (restorer == null) {
				threads = torchThreads(executorCores, taskCpus, Runtime.getRuntime().availableProcessors());
				// the user's own setting (a -D or OMP_NUM_THREADS) wins; DJL reads this when its engine starts
				if (System.getProperty("ai.djl.pytorch.num_threads") == null && System.getenv("OMP_NUM_THREADS") == null) {
					System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
				}
				else threads = -1;
				restorer = new Restorer().log(LOG::fine); // per-plane notes: the summary and the sidecars carry the record
			}
			return restorer;
		}
	}

	/** libtorch threads per task: the executor's cores (at most the machine's) shared by its concurrent tasks. */
	static int torchThreads(final int executorCores, final int taskCpus, final int machineCores) {
		final int cores = Math.max(1, Math.min(executorCores, machineCores));
		final int slots = Math.max(1, executorCores / Math.max(1, taskCpus));
		return Math.max(1, cores / slots);
	}

	/** The thread count set (-1 when the user set it), 0 before the first task. */
	static int threads() {
		return threads;
	}
}
