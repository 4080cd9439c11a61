package io.github.sanasr.spark;

import io.github.sanasr.batch.AtomicOutput;
import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRestorer;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.BatchStatus;
import io.github.sanasr.batch.ImageFiles;
import io.github.sanasr.batch.InputCollector;
import io.github.sanasr.batch.OutputFormat;
import io.github.sanasr.batch.OutputNames;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.core.PlaneOutputs;
import io.github.sanasr.core.PlaneSource;
import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;
import io.github.sanasr.core.TilePlan;
import io.github.sanasr.core.TileSizer;
import io.github.sanasr.model.CpuFeatures;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.PrecisionChooser;

import ij.IJ;
import ij.ImagePlus;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Logger;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import scala.Tuple2;

/**
 * The Spark job. The driver lists the inputs and skips completed outputs exactly as the batch runner does;
 * then three stages run on the executors: (1) one task per file opens it and reports its planes (a corrupt
 * file fails here, alone); (2) one task per (file, plane) - or per band of tiles of a plane whose output would
 * exceed the memory budget - runs the model ({@code Restorer.restoreBand}); (3) one task per file gathers its
 * planes and does everything else with the core ({@code Restorer.assemble}) and writes the outputs with the
 * batch runner's atomic writer, under a temporary name of its own task attempt. The driver writes the summary CSV.
 */
public final class SparkRestore {

	private static final Logger LOG = Logger.getLogger(SparkRestore.class.getName());

	/** What a run did: the summary, and how much work it sent to the executors. */
	public record Result(BatchReport report, int filesPlanned, int units, int filesAssembled) {}

	/** One input file to restore, as the executors need it (paths as strings: Path is not serializable). */
	static final class FileTask implements Serializable {
		private static final long serialVersionUID = 1L;
		final int index;
		final String file, outputDir;

		FileTask(final int index, final Path file, final Path outputDir) {
			this.index = index;
			this.file = file.toString();
			this.outputDir = outputDir.toString();
		}

		OutputNames names(final BatchJob job) {
			return new OutputNames(Path.of(outputDir), Path.of(file).getFileName().toString(), job.options().scale(),
				job.format());
		}
	}

	/** Stage 1's answer for one file: its layout, or why it cannot be restored. */
	static final class FilePlan implements Serializable {
		private static final long serialVersionUID = 1L;
		int index, width, height, channels, slices, frames, components;
		String sizeIn = "", problem;
		double seconds;
	}

	/** Stage 2's work unit: output rows [rowFrom, rowTo) of plane (c, z, t) of file {@code index}. */
	static final class Unit implements Serializable {
		private static final long serialVersionUID = 1L;
		final int index, c, z, t, rowFrom, rowTo;

		Unit(final int index, final int c, final int z, final int t, final int rowFrom, final int rowTo) {
			this.index = index;
			this.c = c;
			this.z = z;
			this.t = t;
			this.rowFrom = rowFrom;
			this.rowTo = rowTo;
		}
	}

	/** Stage 2's answer: the model's blended output for one unit, or the error that stopped it. */
	static final class UnitResult implements Serializable {
		private static final long serialVersionUID = 1L;
		int index, c, z, t, rowFrom, rowTo, tiles;
		float[][][] groups;
		String device, executor, error;
		double seconds;
	}

	/** Stage 3's answer: one summary row (BatchRow holds Paths, which Spark cannot ship). */
	static final class Row implements Serializable {
		private static final long serialVersionUID = 1L;
		int index;
		String file, sizeIn = "", sizeOut = "", message = "", output;
		double seconds;
		BatchStatus status;

		BatchRow toBatchRow() {
			return new BatchRow(Path.of(file), sizeIn, sizeOut, seconds, status, message, output == null ? null : Path.of(output));
		}

		static Row failed(final int index, final String file, final String sizeIn, final double seconds, final String message) {
			final Row r = new Row();
			r.index = index;
			r.file = file;
			r.sizeIn = sizeIn;
			r.seconds = seconds;
			r.status = BatchStatus.FAILED;
			r.message = message;
			return r;
		}
	}

	/** Thrown by the test hook: a task that dies while writing, leaving a half-written temporary file behind. */
	static final class TaskKilledForTest extends RuntimeException {
		private static final long serialVersionUID = 1L;

		TaskKilledForTest(final String m) {
			super(m);
		}
	}

	/** The Spark job failed (a task failed more often than Spark allows); completed outputs are kept. */
	public static final class JobFailedException extends Exception {
		private static final long serialVersionUID = 1L;

		JobFailedException(final String m, final Throwable cause) {
			super(m, cause);
		}
	}

	private SparkRestore() {}

	public static Result run(final JavaSparkContext sc, SparkOptions o) throws CliArguments.UsageException, IOException,
		JobFailedException
	{
		BatchJob job = o.job();
		final ModelDescriptor d;
		final String precisionChoice;
		try {
			// one network for the whole job (bands of a plane must agree): the driver decides precision=auto, on its
			// own CPU; on --device gpu, float32 as on a local GPU
			final ModelRegistry registry = new ModelRegistry();
			final PrecisionChooser.Choice chosen = new PrecisionChooser(registry, CpuFeatures.detect()).choose(
				registry.resolve(job.options().model()), job.options().precision(),
				job.options().device() == RestoreOptions.DeviceChoice.GPU);
			d = chosen.model();
			precisionChoice = chosen.reason(); // recorded as the CLI records it (the executors see the fixed choice)
			if (job.options().precision() == RestoreOptions.PrecisionChoice.AUTO) {
				o = o.withPrecision(d.precision());
				job = o.job();
				LOG.info("SANA-SR on Spark: " + d.name() + " in " + d.precision() + " (" + precisionChoice +
					", decided on the driver for every executor; pass --precision to choose)");
			}
		}
		catch (final RestoreException e) {
			throw new CliArguments.UsageException(e.getMessage());
		}
		if (job.options().tile() == RestoreOptions.AUTO_TILE) {
			// one tiling for the whole job (bands of a plane must agree), from the task memory budget
			final int tile = TileSizer.fromBudget(o.bandBudgetBytes() / 2, d.bytesPerOutputPixel(), d.scale(), d.stride(),
				d.halo());
			o = o.withTile(tile);
			job = o.job();
			LOG.info("SANA-SR on Spark: tile " + tile + " (from the task memory budget; pass --tile to choose)");
		}
		final SparkOptions opts = o;
		final BatchJob theJob = job;
		Files.createDirectories(job.outputDir());
		final Path csv = job.outputDir().resolve(BatchReport.CSV_NAME);

		// -- the driver: inputs, names, skips; exactly the batch runner's rules and messages --
		final InputCollector.Inputs inputs = InputCollector.collect(job);
		final List<BatchRow> problems = new ArrayList<>(inputs.problems());
		final List<InputCollector.InputFile> files = inputs.files();
		final BatchRow[] rows = new BatchRow[files.size()];
		final List<FileTask> tasks = new ArrayList<>();
		final Map<Path, Path> claimed = new HashMap<>();
		for (int i = 0; i < files.size(); i++) {
			final Path file = files.get(i).file();
			final OutputNames out = new OutputNames(job.outputDir().resolve(files.get(i).subfolder()),
				file.getFileName().toString(), job.options().scale(), job.format());
			final Path earlier = claimed.putIfAbsent(out.image().toAbsolutePath().normalize(), file);
			if (earlier != null) rows[i] = BatchRow.failed(file, "", 0, "same output name as " + earlier.getFileName() +
				" (" + out.image().getFileName() + "); rename one of them");
			else if (!job.overwrite() && out.complete(job.options().fidelityMap())) rows[i] = new BatchRow(file, "", "", 0,
				BatchStatus.SKIPPED, "output exists (overwrite is off)", out.image());
			else tasks.add(new FileTask(i, file, job.outputDir().resolve(files.get(i).subfolder())));
		}
		if (tasks.isEmpty()) {
			final BatchReport report = report(problems, rows);
			report.writeCsv(csv);
			return new Result(report, 0, 0, 0);
		}

		final String engine = "Apache Spark " + sc.version() + " (master " + sc.master() + ", application " +
			sc.sc().applicationId() + ")";
		final Broadcast<SparkOptions> bOpts = sc.broadcast(opts);
		final Map<Integer, FileTask> byIndex = new LinkedHashMap<>();
		tasks.forEach(t -> byIndex.put(t.index, t));
		final Broadcast<HashMap<Integer, FileTask>> bTasks = sc.broadcast(new HashMap<>(byIndex));
		try {
			// -- stage 1: open each file where it is, report its planes --
			final List<FilePlan> plans = sc.parallelize(tasks, Math.max(1, Math.min(tasks.size(), sc.defaultParallelism() * 4)))
				.map(t -> plan(t, bOpts.value())).collect();

			// -- the driver: units of work --
			final List<Unit> units = new ArrayList<>();
			for (final FilePlan p : plans) {
				final FileTask t = byIndex.get(p.index);
				if (p.problem != null) {
					rows[p.index] = BatchRow.failed(Path.of(t.file), p.sizeIn, p.seconds, p.problem);
					continue;
				}
				units.addAll(units(p, d, job.options(), opts.bandBudgetBytes()));
			}
			if (units.isEmpty()) {
				final BatchReport report = report(problems, rows);
				report.writeCsv(csv);
				return new Result(report, plans.size(), 0, 0);
			}
			final int partitions = opts.partitions() > 0 ? opts.partitions() : units.size();

			// -- stage 2: the model, one task per plane or band; stage 3: one task per file assembles and writes --
			final List<Row> done = sc.parallelize(units, partitions)
				.mapPartitions(it -> restoreUnits(it, bOpts.value(), bTasks.value()))
				.mapToPair(r -> new Tuple2<>(r.index, r))
				.groupByKey(Math.max(1, Math.min(plans.size(), sc.defaultParallelism() * 4)))
				.map(g -> assemble(bTasks.value().get(g._1()), g._2(), bOpts.value(), engine, precisionChoice))
				.collect();
			for (final Row r : done)
				rows[r.index] = r.toBatchRow();
			final BatchReport report = report(problems, rows);
			report.writeCsv(csv);
			return new Result(report, plans.size(), units.size(), done.size());
		}
		catch (final Exception e) { // SparkException is checked in Scala's eyes only
			// the job itself failed (a task failed more often than Spark allows): say so for every unfinished file
			final String why = rootMessage(e);
			for (final FileTask t : tasks)
				if (rows[t.index] == null) rows[t.index] = BatchRow.failed(Path.of(t.file), "", 0,
					"the Spark job failed before this file was reported done (" + why + "); rerun to resume (completed " +
					"outputs are skipped)");
			report(problems, rows).writeCsv(csv);
			throw new JobFailedException("The Spark job failed: " + why + ". Completed outputs are kept; run the same " +
				"command again to resume.", e);
		}
		finally {
			// a killed task attempt (or a speculative copy) may have left its own temporary file
			for (final FileTask t : tasks)
				removeTemporaries(t.names(theJob));
			bOpts.destroy();
			bTasks.destroy();
		}
	}

	private static BatchReport report(final List<BatchRow> problems, final BatchRow[] rows) {
		final List<BatchRow> all = new ArrayList<>(problems);
		for (final BatchRow r : rows)
			if (r != null) all.add(r);
		return BatchReport.of(all);
	}

	/** Stage 1 (executor): open the file with the batch runner's opener; its layout or the reason it is unusable. */
	static FilePlan plan(final FileTask t, final SparkOptions o) throws CliArguments.UsageException {
		final long start = System.nanoTime();
		final BatchJob job = o.job();
		final FilePlan p = new FilePlan();
		p.index = t.index;
		ImagePlus imp = null;
		try {
			imp = ImageFiles.open(Path.of(t.file));
			p.sizeIn = ImageFiles.describe(imp);
			if (job.format() == OutputFormat.PNG) p.problem = ImageFiles.pngProblem(imp, job.options().float32Output());
			p.width = imp.getWidth();
			p.height = imp.getHeight();
			p.channels = imp.getNChannels();
			p.slices = imp.getNSlices();
			p.frames = imp.getNFrames();
			try {
				p.components = PlaneSource.kindOf(imp).isColour() ? 3 : 1;
			}
			catch (final IllegalArgumentException e) {
				p.components = 1; // the core reports the unsupported type, with the batch runner's words
			}
		}
		catch (final ImageFiles.UnusableFileException e) {
			p.problem = e.getMessage();
		}
		catch (final RuntimeException | OutOfMemoryError e) {
			p.problem = "unexpected error: " + e;
		}
		finally {
			close(imp);
		}
		p.seconds = seconds(start);
		return p;
	}

	/**
	 * One unit per plane, in the core's plane order (t, z, c); a plane whose float output (all components and
	 * the blending weights) exceeds the budget is split into bands of output rows, never more bands than rows
	 * of tiles.
	 */
	static List<Unit> units(final FilePlan p, final ModelDescriptor d, final RestoreOptions options, final long budget) {
		final int scale = options.scale();
		final long outW = (long) p.width * scale, outH = (long) p.height * scale;
		final long bytes = outW * outH * 4L * (p.components + 1);
		final int tileRows = new TilePlan(p.width, p.height, options.tile(), d.stride(), d.halo()).yAxis().count();
		final int bands = (int) Math.max(1, Math.min(Math.min(tileRows, outH), (bytes + budget - 1) / budget));
		final List<Unit> list = new ArrayList<>();
		for (int t = 1; t <= p.frames; t++)
			for (int z = 1; z <= p.slices; z++)
				for (int c = 1; c <= p.channels; c++)
					for (int b = 0; b < bands; b++)
						list.add(new Unit(p.index, c, z, t, (int) (b * outH / bands), (int) ((b + 1) * outH / bands)));
		return list;
	}

	/** Stage 2 (executor): the model on each unit of a partition; the open input is kept while units share it. */
	static Iterator<UnitResult> restoreUnits(final Iterator<Unit> units, final SparkOptions o,
		final Map<Integer, FileTask> tasks) throws CliArguments.UsageException
	{
		final BatchJob job = o.job();
		final SparkConf conf = SparkEnv.get().conf();
		final int taskCpus = conf.getInt("spark.task.cpus", 1);
		final int executorCores = executorCores(conf);
		final String executor = executorName();
		return new Iterator<>() {

			private int openIndex = -1;
			private ImagePlus open;
			private String openProblem;

			@Override
			public boolean hasNext() {
				final boolean more = units.hasNext();
				if (!more) close(open);
				return more;
			}

			@Override
			public UnitResult next() {
				final Unit u = units.next();
				final long start = System.nanoTime();
				final UnitResult r = new UnitResult();
				r.index = u.index;
				r.c = u.c;
				r.z = u.z;
				r.t = u.t;
				r.rowFrom = u.rowFrom;
				r.rowTo = u.rowTo;
				r.executor = executor;
				try {
					if (u.index != openIndex) {
						close(open);
						open = null;
						openProblem = null;
						openIndex = u.index;
						try {
							open = openForPlanes(Path.of(tasks.get(u.index).file));
						}
						catch (final ImageFiles.UnusableFileException e) {
							openProblem = e.getMessage();
						}
					}
					if (open == null) r.error = openProblem;
					else {
						final PlaneOutputs.Band band = ExecutorRestorer.get(executorCores, taskCpus).restoreBand(open,
							job.options(), u.c, u.z, u.t, u.rowFrom, u.rowTo, ProgressListener.NONE);
						r.groups = band.groups();
						r.tiles = band.tiles();
						r.device = band.device();
					}
				}
				catch (final RestoreException e) {
					r.error = e.getMessage();
				}
				catch (final RuntimeException | OutOfMemoryError e) {
					r.error = "unexpected error: " + e;
				}
				r.seconds = seconds(start);
				return r;
			}
		};
	}

	/**
	 * A stack is read one plane at a time where ImageJ can (a virtual TIFF stack), so a task on one plane does not
	 * read the whole file; else the batch runner's opener. Only the pixels of the plane are used from it.
	 */
	private static ImagePlus openForPlanes(final Path file) throws ImageFiles.UnusableFileException {
		final ImagePlus full = ImageFiles.open(file);
		if (full.getStackSize() == 1) return full;
		final String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
		if (!(name.endsWith(".tif") || name.endsWith(".tiff"))) return full;
		ImagePlus virtual = null;
		IJ.redirectErrorMessages(true);
		try {
			virtual = IJ.openVirtual(file.toString());
		}
		catch (final RuntimeException e) {
			virtual = null;
		}
		finally {
			IJ.redirectErrorMessages(false);
		}
		if (virtual == null || virtual.getType() != full.getType() || virtual.getWidth() != full.getWidth() ||
			virtual.getHeight() != full.getHeight() || virtual.getNChannels() != full.getNChannels() ||
			virtual.getNSlices() != full.getNSlices() || virtual.getNFrames() != full.getNFrames())
		{
			close(virtual);
			return full;
		}
		close(full);
		return virtual;
	}

	/** Stage 3 (executor): everything after the model, with the core, and the outputs, as the batch runner writes them. */
	static Row assemble(final FileTask task, final Iterable<UnitResult> parts, final SparkOptions o, final String engine,
		final String precisionChoice)
		throws CliArguments.UsageException
	{
		final long start = System.nanoTime();
		final BatchJob job = o.job();
		final Path file = Path.of(task.file);
		final OutputNames out = task.names(job);
		final Map<String, List<UnitResult>> byPlane = new HashMap<>();
		final TreeSet<String> executors = new TreeSet<>(), devices = new TreeSet<>();
		double modelSeconds = 0;
		for (final UnitResult r : parts) {
			if (r.error != null) return Row.failed(task.index, task.file, "", r.seconds, r.error);
			byPlane.computeIfAbsent(key(r.c, r.z, r.t), k -> new ArrayList<>()).add(r);
			executors.add(r.executor);
			devices.add(r.device);
			modelSeconds += r.seconds;
		}
		byPlane.values().forEach(l -> l.sort(Comparator.comparingInt(u -> u.rowFrom)));
		final String assembler = executorName();
		final double seconds = modelSeconds;
		final String tag = "attempt" + TaskContext.get().taskAttemptId();
		ImagePlus input = null;
		RestoreResult result = null;
		String sizeIn = "";
		try {
			input = ImageFiles.open(file);
			sizeIn = ImageFiles.describe(input);
			final int outW = input.getWidth() * job.options().scale(), outH = input.getHeight() * job.options().scale();
			final PlaneOutputs outputs = new PlaneOutputs() {

				@Override
				public float[][] plane(final int c, final int z, final int t, final int group) throws RestoreException {
					final List<UnitResult> bands = byPlane.get(key(c, z, t));
					if (bands == null) throw new RestoreException("no model output for c" + c + " z" + z + " t" + t);
					return stitch(bands, group, outW, outH);
				}

				@Override
				public String device() {
					return String.join(", ", devices);
				}

				@Override
				public Map<String, String> provenance() {
					final Map<String, String> m = new LinkedHashMap<>();
					m.put("engine", engine);
					m.put("engine_executors", String.join(", ", executors));
					m.put("engine_assembled_on", assembler);
					m.put("engine_units", Integer.toString(byPlane.values().stream().mapToInt(List::size).sum()));
					m.put("engine_model_time_s", String.format(java.util.Locale.ROOT, "%.2f", seconds));
					m.put("precision_choice", precisionChoice);
					return m;
				}
			};
			result = ExecutorRestorer.get(executorCores(SparkEnv.get().conf()), SparkEnv.get().conf().getInt(
				"spark.task.cpus", 1)).assemble(input, job.options(), ProgressListener.NONE, outputs);
			if (result == null || result.image() == null) throw new RestoreException("the restoration returned no image");
			if (file.getFileName().toString().equals(o.failOnceWhileWriting()) && TaskContext.get().attemptNumber() == 0) {
				// what a task killed midway through writing leaves: half a file under its temporary name, no cleanup
				Files.createDirectories(out.image().getParent());
				Files.write(AtomicOutput.temporaryName(out.image(), tag), new byte[] { 'I', 'I', 42, 0 });
				throw new TaskKilledForTest("test hook: task attempt " + tag + " killed while writing " + out.image());
			}
			BatchRestorer.writeOutputs(result, out, job.format(), tag);
			final Row row = new Row();
			row.index = task.index;
			row.file = task.file;
			row.sizeIn = sizeIn;
			row.sizeOut = ImageFiles.describe(result.image());
			row.seconds = modelSeconds + seconds(start);
			row.status = BatchStatus.OK;
			row.output = out.image().toString();
			return row;
		}
		catch (final TaskKilledForTest e) {
			throw e;
		}
		catch (final ImageFiles.UnusableFileException | RestoreException e) {
			return Row.failed(task.index, task.file, sizeIn, modelSeconds + seconds(start), e.getMessage());
		}
		catch (final IOException e) {
			return Row.failed(task.index, task.file, sizeIn, modelSeconds + seconds(start), "could not write output: " +
				e.getMessage());
		}
		catch (final RuntimeException | OutOfMemoryError e) {
			return Row.failed(task.index, task.file, sizeIn, modelSeconds + seconds(start), "unexpected error: " + e);
		}
		finally {
			close(input);
			if (result != null) {
				close(result.image());
				result.fidelityMap().ifPresent(SparkRestore::close);
			}
		}
	}

	/** Bands (sorted by row) of one plane's channel group, stacked into whole output planes. */
	static float[][] stitch(final List<UnitResult> bands, final int group, final int outW, final int outH)
		throws RestoreException
	{
		final int components = bands.get(0).groups[group].length;
		final float[][] plane = new float[components][];
		int row = 0;
		for (final UnitResult b : bands) {
			if (b.rowFrom != row) throw new RestoreException("model output rows " + row + "-" + b.rowFrom + " missing");
			row = b.rowTo;
		}
		if (row != outH) throw new RestoreException("model output rows " + row + "-" + outH + " missing");
		if (bands.size() == 1) return bands.get(0).groups[group];
		for (int k = 0; k < components; k++) {
			plane[k] = new float[outW * outH];
			for (final UnitResult b : bands)
				System.arraycopy(b.groups[group][k], 0, plane[k], b.rowFrom * outW, (b.rowTo - b.rowFrom) * outW);
		}
		return plane;
	}

	private static String key(final int c, final int z, final int t) {
		return c + "/" + z + "/" + t;
	}

	/** Cores of this executor: N of local[N] (or local[N,F]), else spark.executor.cores, else the machine's. */
	static int executorCores(final SparkConf conf) {
		final int machine = Runtime.getRuntime().availableProcessors();
		final String master = conf.get("spark.master", "");
		final java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?\\]").matcher(master);
		if (m.matches()) return m.group(1).equals("*") ? machine : Integer.parseInt(m.group(1));
		if (master.equals("local")) return 1;
		return conf.getInt("spark.executor.cores", machine);
	}

	private static String executorName() {
		String host;
		try {
			host = java.net.InetAddress.getLocalHost().getHostName();
		}
		catch (final IOException e) {
			host = "unknown host";
		}
		return "executor " + SparkEnv.get().executorId() + " on " + host;
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

	private static double seconds(final long start) {
		return (System.nanoTime() - start) / 1e9;
	}

	private static void close(final ImagePlus imp) {
		if (imp == null) return;
		imp.changes = false;
		imp.flush();
	}
}
