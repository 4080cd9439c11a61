package io.github.sanasr.spark;

import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.cli.SanaSrMain;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code sana-sr-spark [--master URL] INPUT... --output DIR [options]}, or the main class of
 * {@code spark-submit --class io.github.sanasr.spark.SparkRestoreMain sana-sr-spark-<version>.jar ...}.
 * Exit status as ./sana-sr: 0 every file restored or skipped, 1 some failed (one line each on stderr), 2 a
 * command line that cannot run or a Spark job that failed (rerun it: completed outputs are kept and skipped).
 */
public final class SparkRestoreMain {

	private SparkRestoreMain() {}

	public static void main(final String[] args) {
		System.exit(run(Arrays.asList(args), System.out, System.err));
	}

	static int run(final List<String> args, final PrintStream out, final PrintStream err) {
		if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
			out.println(SparkOptions.USAGE);
			return args.isEmpty() ? SanaSrMain.UNUSABLE : SanaSrMain.OK;
		}
		final SparkOptions options;
		try {
			options = SparkOptions.parse(args);
		}
		catch (final CliArguments.UsageException e) {
			err.println("sana-sr-spark: " + e.getMessage());
			err.println("Try: sana-sr-spark --help");
			return SanaSrMain.UNUSABLE;
		}
		final SparkConf conf = new SparkConf().setAppName("SANA-SR");
		if (options.master() != null) conf.setMaster(options.master());
		else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
		final long start = System.nanoTime();
		try (JavaSparkContext sc = new JavaSparkContext(conf)) {
			sc.setLogLevel("WARN");
			final SparkRestore.Result r = SparkRestore.run(sc, options);
			final BatchReport report = r.report();
			for (final BatchRow row : report.failures())
				err.println(SanaSrMain.failureLine(row));
			out.printf("sana-sr-spark: %s (%d planes/bands on %s, %.1f s)%n", report.summaryLine(), r.units(), sc.master(),
				(System.nanoTime() - start) / 1e9);
			return report.failures().isEmpty() ? SanaSrMain.OK : SanaSrMain.SOME_FAILED;
		}
		catch (final CliArguments.UsageException e) {
			err.println("sana-sr-spark: " + e.getMessage());
			return SanaSrMain.UNUSABLE;
		}
		catch (final SparkRestore.JobFailedException e) {
			err.println("sana-sr-spark: " + e.getMessage());
			return SanaSrMain.UNUSABLE;
		}
		catch (final Exception e) {
			err.println("sana-sr-spark: the Spark job failed: " + e);
			err.println("Completed outputs are kept; run the same command again to resume.");
			return SanaSrMain.UNUSABLE;
		}
	}
}
