package io.github.sanasr.spark;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.OutputFormat;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.core.RestoreOptions;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Spark run's settings: the command line of {@code ./sana-sr} (inputs and every restoration option, parsed
 * by the CLI's own {@link CliArguments}) plus the few that only a cluster run has. Serializable: executors
 * rebuild the same {@link BatchJob} from the same words.
 */
public final class SparkOptions implements Serializable {

	private static final long serialVersionUID = 1L;

	/** Default memory a task may give to the float output of one plane (or band) before it is split. */
	public static final long DEFAULT_BAND_BUDGET_MB = 1024;

	static final String USAGE = String.join("\n",
		"Usage: sana-sr-spark [--master URL] [--list FILE] [--band-budget-mb N] INPUT... --output DIR [sana-sr options]",
		"",
		"Restores images on Apache Spark: the same outputs as ./sana-sr (names, pixels, calibration, sidecars,",
		"summary CSV) for planes that fit the band budget, one task per image plane (or band of a large plane; under",
		"--tile auto a banded plane uses the tile that fits the budget, and its sidecar and summary say so).",
		"",
		"Spark options:",
		"  --master URL         local[N] (N task threads), local[N,F] (F attempts per task), spark://..., yarn, k8s://...",
		"                       (default: what spark-submit set, else local[*])",
		"  --list FILE          a text file of input files or folders, one per line (# comments), added to INPUT...",
		"  --band-budget-mb N   memory a task may give to one output plane (default " + DEFAULT_BAND_BUDGET_MB + "); larger",
		"                       planes are split into bands of tiles (and, under --tile auto, get their tile from it).",
		"  --partitions N       tasks for the planes (default: one per plane or band)",
		"",
		"Every ./sana-sr option works (--model, --scale, --tile, --device, --precision, --prompt, --format,",
		"--fidelity-map, --consistency, --overwrite, --pattern, --recursive, --float32, --low-percentile,",
		"--high-percentile); see ./sana-sr --help. --precision auto is decided once, on the driver.",
		"Exit status: 0 all done, 1 some files failed (listed on stderr), 2 usage error or failed job.");

	private final List<String> cliArgs;
	private final String master;
	private final long bandBudgetBytes;
	private final int partitions;
	/** Test hook: the assembly task of the input with this file name dies while writing, on its first attempt. */
	private final String failOnceWhileWriting;

	private SparkOptions(final List<String> cliArgs, final String master, final long bandBudgetBytes,
		final int partitions, final String failOnceWhileWriting)
	{
		this.cliArgs = new ArrayList<>(cliArgs);
		this.master = master;
		this.bandBudgetBytes = bandBudgetBytes;
		this.partitions = partitions;
		this.failOnceWhileWriting = failOnceWhileWriting;
	}

	/** Takes out the Spark options; the rest must be a valid ./sana-sr command line. */
	public static SparkOptions parse(final List<String> args) throws CliArguments.UsageException {
		final List<String> rest = new ArrayList<>();
		String master = null;
		long budget = DEFAULT_BAND_BUDGET_MB << 20;
		int partitions = 0;
		final List<String> listed = new ArrayList<>();
		for (int i = 0; i < args.size(); i++) {
			final String a = args.get(i);
			final int eq = a.indexOf('=');
			final String name = a.startsWith("--") ? (eq < 0 ? a : a.substring(0, eq)).toLowerCase(Locale.ROOT) : "";
			switch (name) {
				case "--master":
				case "--list":
				case "--band-budget-mb":
				case "--partitions": {
					final String v;
					if (eq >= 0) v = a.substring(eq + 1);
					else if (i + 1 < args.size()) v = args.get(++i);
					else throw new CliArguments.UsageException(name + " needs a value");
					if (name.equals("--master")) master = v;
					else if (name.equals("--list")) listed.addAll(readList(Path.of(v)));
					else if (name.equals("--band-budget-mb")) budget = positive(name, v) << 20;
					else partitions = (int) positive(name, v);
					break;
				}
				default:
					rest.add(a);
			}
		}
		// listed inputs go before "--" (if any), so names starting with "--" stay inputs
		final List<String> words = new ArrayList<>();
		final int dashes = rest.indexOf("--");
		if (dashes < 0) {
			words.addAll(rest);
			if (!listed.isEmpty()) {
				words.add("--");
				words.addAll(listed);
			}
		}
		else {
			words.addAll(rest);
			words.addAll(listed);
		}
		final SparkOptions o = new SparkOptions(words, master, budget, partitions, null);
		o.job(); // fails here, on the driver, for a command line the CLI would refuse
		return o;
	}

	/** The same options with the test hook set (tests only). */
	SparkOptions failingOnceWhileWriting(final String fileName) {
		return new SparkOptions(cliArgs, master, bandBudgetBytes, partitions, fileName);
	}

	/** The same options with a fixed precision (the driver fixes "auto" once, so every band runs one network). */
	SparkOptions withPrecision(final String precision) {
		return with("--precision=" + precision);
	}

	private SparkOptions with(final String option) {
		final List<String> words = new ArrayList<>();
		final int dashes = cliArgs.indexOf("--");
		words.addAll(dashes < 0 ? cliArgs : cliArgs.subList(0, dashes));
		words.add(option); // the last value of an option wins
		if (dashes >= 0) words.addAll(cliArgs.subList(dashes, cliArgs.size()));
		return new SparkOptions(words, master, bandBudgetBytes, partitions, failOnceWhileWriting);
	}

	private static long positive(final String name, final String v) throws CliArguments.UsageException {
		try {
			final long n = Long.parseLong(v.trim());
			if (n > 0) return n;
		}
		catch (final NumberFormatException e) {
			// below
		}
		throw new CliArguments.UsageException(name + " must be a positive whole number, not '" + v + "'");
	}

	private static List<String> readList(final Path file) throws CliArguments.UsageException {
		try {
			final Path base = file.toAbsolutePath().getParent();
			final List<String> out = new ArrayList<>();
			for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
				final String s = line.strip();
				if (s.isEmpty() || s.startsWith("#")) continue;
				final Path p = Path.of(s);
				out.add((p.isAbsolute() ? p : base.resolve(p)).toString()); // relative to the list file
			}
			if (out.isEmpty()) throw new CliArguments.UsageException("--list " + file + " names no input");
			return out;
		}
		catch (final IOException e) {
			throw new CliArguments.UsageException("cannot read --list " + file + ": " + e.getMessage());
		}
	}

	/** The batch job exactly as ./sana-sr builds it from the same words. */
	public BatchJob job() throws CliArguments.UsageException {
		final CliArguments cli = CliArguments.parse(cliArgs);
		final Map<String, Object> in = cli.commandInputs();
		try {
			final RestoreOptions options = RestoreOptions.builder()
				.model((String) in.getOrDefault("model", RestoreOptions.DEFAULT_MODEL))
				.scale((Integer) in.getOrDefault("scale", 4))
				.tile((String) in.getOrDefault("tile", "auto"))
				.device((String) in.getOrDefault("device", "auto"))
				.precision((String) in.getOrDefault("precision", "auto"))
				.prompt((String) in.getOrDefault("prompt", "default"))
				.fidelityMap((Boolean) in.get("fidelity_map"))
				.consistency((Boolean) in.get("consistency"))
				.float32Output((Boolean) in.get("float32"))
				.percentiles((Double) in.getOrDefault("low_percentile", 0.1), (Double) in.getOrDefault("high_percentile", 99.9))
				.build();
			return BatchJob.builder().inputs(cli.inputs()).pattern((String) in.getOrDefault("pattern", BatchJob.ALL_FILES))
				.recursive((Boolean) in.get("recursive")).outputDir(cli.output())
				.format(OutputFormat.parse((String) in.getOrDefault("format", "tif"))).overwrite((Boolean) in.get("overwrite"))
				.options(options).build();
		}
		catch (final IllegalArgumentException e) {
			throw new CliArguments.UsageException(e.getMessage());
		}
	}

	public String master() { return master; }
	public long bandBudgetBytes() { return bandBudgetBytes; }
	public int partitions() { return partitions; }
	String failOnceWhileWriting() { return failOnceWhileWriting; }
}
