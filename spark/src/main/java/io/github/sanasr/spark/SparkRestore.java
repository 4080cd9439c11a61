package io.github.sanasr.spark;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.BatchStatus;
import io.github.sanasr.batch.ImageRestorer;
import io.github.sanasr.batch.InputCollector;
import io.github.sanasr.batch.InvalidJobException;
import io.github.sanasr.batch.JobCheck;
import io.github.sanasr.batch.OutputNames;
import io.github.sanasr.batch.ResumeCheck;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.model.CpuFeatures;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.PrecisionChooser;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import scala.Tuple2;

/**
 * The Spark job, as an orchestrator of named steps. The driver checks the job as every host does
 * ({@link JobCheck}), lists the inputs and decides restore, skip or conflict per file with the batch runner's
 * {@link ResumeCheck}; then three stages run on the executors: {@link LayoutStage} (one task per file reports
 * its planes; a corrupt file fails there, alone), {@link ModelStage} (one task per plane, or per band of a plane
 * too large for the task memory budget, cut by {@link UnitPlanner}) and {@link AssemblyStage} (one task per
 * file assembles its planes with the core and writes them with the batch runner's one-file step). The driver
 * writes the summary CSV.
 */
public final class SparkRestore {

	private static final Logger LOG = Logger.getLogger(SparkRestore.class.getName());

	/** What a run did: the summary, and how much work it sent to the executors. */
	public record Result(BatchReport report, int filesPlanned, int units, int filesAssembled) {}

	/** The Spark job failed (a task failed more often than Spark allows); completed outputs are kept. */
	public static final class JobFailedException extends Exception {
		private static final long serialVersionUID = 1L;

		JobFailedException(final String m, final Throwable cause) {
			super(m, cause);
		}
	}

	private SparkRestore() {}

	public static Result run(final JavaSparkContext sc, final SparkOptions options) throws CliArguments.UsageException,
		IOException, JobFailedException
	{
		SparkOptions opts = options;
		final BatchJob job;
		final Map<String, String> identity;
		final ModelDescriptor d;
		final String precisionChoice;
		try (ImageRestorer checker = ImageRestorer.core(LOG::fine)) {
			// one network for the whole job (bands of a plane must agree): the driver decides precision=auto, on its
			// own CPU; on --device gpu, float32 as on a local GPU. The job check and the resume identity then see the
			// fixed precision, as every executor does.
			final ModelRegistry registry = new ModelRegistry();
			final PrecisionChooser.Choice chosen = new PrecisionChooser(registry, CpuFeatures.detect()).choose(
				registry.resolve(opts.job().options().model()), opts.job().options().precision(),
				opts.job().options().device() == RestoreOptions.DeviceChoice.GPU);
			d = chosen.model(); // tiling and bands follow the model that runs
			precisionChoice = chosen.reason(); // recorded as the CLI records it (the executors see the fixed choice)
			if (opts.job().options().precision() == RestoreOptions.PrecisionChoice.AUTO) {
				opts = opts.withPrecision(d.precision());
				LOG.info("SANA-SR on Spark: " + d.name() + " in " + d.precision() + " (" + precisionChoice +
					", decided on the driver for every executor; pass --precision to choose)");
			}
			job = opts.job();
			identity = JobCheck.check(job, checker);
		}
		catch (final InvalidJobException | RestoreException e) {
			throw new CliArguments.UsageException(e.getMessage());
		}
		final Path csv = job.outputDir().resolve(BatchReport.CSV_NAME);

		final InputCollector.Inputs inputs = InputCollector.collect(job);
		final List<BatchRow> problems = new ArrayList<>(inputs.problems());
		final BatchRow[] rows = new BatchRow[inputs.files().size()];
		final List<SparkWork.FileTask> tasks = selectFiles(job, inputs.files(), identity, rows);
		if (tasks.isEmpty()) return finish(problems, rows, csv, 0, 0, 0);

		final String engine = "Apache Spark " + sc.version() + " (master " + sc.master() + ", application " +
			sc.sc().applicationId() + ")";
		final Broadcast<SparkOptions> bOpts = sc.broadcast(opts);
		final Map<Integer, SparkWork.FileTask> byIndex = new LinkedHashMap<>();
		tasks.forEach(t -> byIndex.put(t.index, t));
		final Broadcast<HashMap<Integer, SparkWork.FileTask>> bTasks = sc.broadcast(new HashMap<>(byIndex));
		try {
			final List<SparkWork.FilePlan> plans = sc.parallelize(tasks, Math.max(1, Math.min(tasks.size(),
				sc.defaultParallelism() * 4))).map(t -> LayoutStage.plan(t, bOpts.value())).collect();
			final List<SparkWork.Unit> units = new ArrayList<>();
			for (final SparkWork.FilePlan p : plans) {
				if (p.problem != null) rows[p.index] = BatchRow.failed(Path.of(byIndex.get(p.index).file), p.sizeIn,
					p.seconds, p.problem);
				else units.addAll(UnitPlanner.units(p, d, job.options(), opts.bandBudgetBytes()));
			}
			if (units.isEmpty()) return finish(problems, rows, csv, plans.size(), 0, 0);
			final int partitions = opts.partitions() > 0 ? opts.partitions() : units.size();
			final List<SparkWork.Row> done = sc.parallelize(units, partitions)
				.mapPartitions(it -> ModelStage.run(it, bOpts.value(), bTasks.value()))
				.mapToPair(r -> new Tuple2<>(r.index, r))
				.groupByKey(Math.max(1, Math.min(plans.size(), sc.defaultParallelism() * 4)))
				.map(g -> AssemblyStage.assemble(bTasks.value().get(g._1()), g._2(), bOpts.value(), engine,
					precisionChoice))
				.collect();
			for (final SparkWork.Row r : done)
				rows[r.index] = r.toBatchRow();
			return finish(problems, rows, csv, plans.size(), units.size(), done.size());
		}
		catch (final Exception e) { // SparkException is checked in Scala's eyes only
			// the job itself failed (a task failed more often than Spark allows): say so for every unfinished file
			final String why = rootMessage(e);
			for (final SparkWork.FileTask t : tasks)
				if (rows[t.index] == null) rows[t.index] = BatchRow.failed(Path.of(t.file), "", 0,
					"the Spark job failed before this file was reported done (" + why + "); rerun to resume (completed " +
					"outputs are skipped)");
			report(problems, rows).writeCsv(csv);
			throw new JobFailedException("The Spark job failed: " + why + ". Completed outputs are kept; run the same " +
				"command again to resume.", e);
		}
		finally {
			// a killed task attempt (or a speculative copy) may have left its own temporary file
			for (final SparkWork.FileTask t : tasks)
				removeTemporaries(t.names(job));
			bOpts.destroy();
			bTasks.destroy();
		}
	}

	/**
	 * The driver's part of the batch runner's rules: the same output names, duplicate names refused, existing
	 * outputs skipped or reported as conflicts by {@link ResumeCheck}. Rows for files decided here go into
	 * {@code rows}; the others come back as tasks.
	 */
	private static List<SparkWork.FileTask> selectFiles(final BatchJob job, final List<InputCollector.InputFile> files,
		final Map<String, String> identity, final BatchRow[] rows)
	{
		final List<SparkWork.FileTask> tasks = new ArrayList<>();
		final Map<Path, Path> claimed = new HashMap<>();
		for (int i = 0; i < files.size(); i++) {
			final Path file = files.get(i).file(), dir = job.outputDir().resolve(files.get(i).subfolder());
			final OutputNames out = new OutputNames(dir, file.getFileName().toString(), job.options().scale(), job.format());
			final Path earlier = claimed.putIfAbsent(out.image().toAbsolutePath().normalize(), file);
			if (earlier != null) {
				rows[i] = BatchRow.failed(file, "", 0, "same output name as " + earlier.getFileName() + " (" +
					out.image().getFileName() + "); rename one of them");
				continue;
			}
			final ResumeCheck.Decision decision;
			try {
				decision = ResumeCheck.decide(out, file, identity, job.options().fidelityMap(), job.overwrite());
			}
			catch (final IOException e) {
				rows[i] = BatchRow.failed(file, "", 0, "could not be read: " + e.getMessage());
				continue;
			}
			switch (decision.kind()) {
				case SKIP -> rows[i] = new BatchRow(file, "", "", 0, BatchStatus.SKIPPED, decision.message(), out.image());
				case CONFLICT -> rows[i] = BatchRow.conflict(file, decision.message(), out.image());
				default -> tasks.add(new SparkWork.FileTask(i, file, dir));
			}
		}
		return tasks;
	}

	private static Result finish(final List<BatchRow> problems, final BatchRow[] rows, final Path csv, final int planned,
		final int units, final int assembled) throws IOException
	{
		final BatchReport report = report(problems, rows);
		report.writeCsv(csv);
		return new Result(report, planned, units, assembled);
	}

	private static BatchReport report(final List<BatchRow> problems, final BatchRow[] rows) {
		final List<BatchRow> all = new ArrayList<>(problems);
		for (final BatchRow r : rows)
			if (r != null) all.add(r);
		return BatchReport.of(all);
	}

	/** Deletes the hidden temporaries ({@code .<name>.<writer>.sanasr-part}) next to a file's outputs. */
	static void removeTemporaries(final OutputNames out) {
		for (final Path target : Arrays.asList(out.image(), out.fidelityMap(), out.sidecar())) {
			final Path dir = target.toAbsolutePath().getParent();
			if (!Files.isDirectory(dir)) continue;
			final String prefix = "." + target.getFileName() + ".";
			try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> {
				final String n = p.getFileName().toString();
				return n.startsWith(prefix) && n.endsWith(".sanasr-part");
			})) {
				for (final Path p : s)
					Files.deleteIfExists(p);
			}
			catch (final IOException e) {
				LOG.warning("SANA-SR on Spark: could not remove temporary files next to " + target + ": " + e.getMessage());
			}
		}
	}

	private static String rootMessage(final Throwable e) {
		Throwable t = e;
		while (t.getCause() != null && t.getCause() != t)
			t = t.getCause();
		final String m = t.getMessage() == null ? t.toString() : t.getMessage();
		return m.lines().findFirst().orElse(m);
	}
}
