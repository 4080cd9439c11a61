package io.github.sanasr.spark;

import java.io.IOException;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/** What a task knows of the executor it runs on: its cores and its name (for the provenance). */
final class ExecutorInfo {

	private ExecutorInfo() {}

	/** Cores of this executor: N of local[N] (or local[N,F]), else spark.executor.cores, else the machine's. */
	static int cores(final SparkConf conf) {
		final int machine = Runtime.getRuntime().availableProcessors();
		final String master = conf.get("spark.master", "");
		final java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?\\]").matcher(master);
		if (m.matches()) return m.group(1).equals("*") ? machine : Integer.parseInt(m.group(1));
		if (master.equals("local")) return 1;
		return conf.getInt("spark.executor.cores", machine);
	}

	/** "executor 3 on node17". */
	static String name() {
		String host;
		try {
			host = java.net.InetAddress.getLocalHost().getHostName();
		}
		catch (final IOException e) {
			host = "unknown host";
		}
		return "executor " + SparkEnv.get().executorId() + " on " + host;
	}

	/** This executor's restorer, its libtorch threads set from its cores and spark.task.cpus. */
	static io.github.sanasr.core.Restorer restorer() {
		final SparkConf conf = SparkEnv.get().conf();
		return ExecutorRestorer.get(cores(conf), conf.getInt("spark.task.cpus", 1));
	}
}
