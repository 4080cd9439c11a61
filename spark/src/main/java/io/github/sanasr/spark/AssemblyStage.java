package io.github.sanasr.spark;

import io.github.sanasr.batch.AtomicOutput;
import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.BatchStatus;
import io.github.sanasr.batch.FileRestoration;
import io.github.sanasr.batch.ImageRestorer;
import io.github.sanasr.batch.InputFingerprint;
import io.github.sanasr.batch.OutputNames;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.core.PlaneOutputs;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.apache.spark.TaskContext;

/**
 * Stage 3 (executor): one file's planes, gathered from stage 2, go through the batch runner's own one-file step
 * ({@link FileRestoration}: open, restore, write image, fidelity map and sidecar atomically), with a restorer
 * that assembles the model outputs ({@code Restorer.assemble}) instead of running the model; outputs under
 * temporary names of this task attempt.
 */
final class AssemblyStage {

	/** Thrown by the test hook: a task that dies while writing, leaving a half-written temporary file behind. */
	static final class TaskKilledForTest extends Error {
		private static final long serialVersionUID = 1L;

		TaskKilledForTest(final String m) {
			super(m);
		}
	}

	private AssemblyStage() {}

	static SparkWork.Row assemble(final SparkWork.FileTask task, final Iterable<SparkWork.UnitResult> parts,
		final SparkOptions o, final String engine, final String precisionChoice) throws CliArguments.UsageException
	{
		final long start = System.nanoTime();
		final BatchJob job = o.job();
		final Path file = Path.of(task.file);
		final OutputNames out = task.names(job);
		final Map<String, List<SparkWork.UnitResult>> byPlane = new HashMap<>();
		final TreeSet<String> executors = new TreeSet<>(), devices = new TreeSet<>();
		final List<String> notes = new ArrayList<>();
		double modelSeconds = 0;
		int bands = 1;
		SparkWork.UnitResult last = null;
		for (final SparkWork.UnitResult r : parts) {
			if (r.error != null) return SparkWork.Row.failed(task.index, task.file, "", r.seconds, r.error);
			byPlane.computeIfAbsent(key(r.c, r.z, r.t), k -> new ArrayList<>()).add(r);
			executors.add(r.executor);
			devices.add(r.device);
			modelSeconds += r.seconds;
			bands = Math.max(bands, r.bands);
			if (last == null || order(r) > order(last)) last = r;
			for (final String n : r.notes)
				notes.add(n);
		}
		byPlane.values().forEach(l -> l.sort(Comparator.comparingInt(u -> u.rowFrom)));
		// the tile of the last plane, as ./sana-sr records it (a retry with smaller tiles carries on to later planes)
		final int tile = last == null ? RestoreOptions.AUTO_TILE : last.tile;
		final boolean otherTile = bands > 1 && job.options().tile() == RestoreOptions.AUTO_TILE;
		final String tileNote = otherTile ? String.format(Locale.ROOT, "tile %d from the task memory budget: the " +
			"plane was split into %d bands, which must share one tiling (./sana-sr chooses its automatic tile from " +
			"free memory; pixels may differ from its output within the blending tolerance)", tile, bands) : null;
		final String assembler = ExecutorInfo.name();
		final double seconds = modelSeconds;
		final int[] outSize = new int[2]; // output width and height, known once the input is open
		final PlaneOutputs outputs = new PlaneOutputs() {

			@Override
			public float[][] plane(final int c, final int z, final int t, final int group) throws RestoreException {
				final List<SparkWork.UnitResult> planeBands = byPlane.get(key(c, z, t));
				if (planeBands == null) throw new RestoreException("no model output for c" + c + " z" + z + " t" + t);
				return stitch(planeBands, group, outSize[0], outSize[1]);
			}

			@Override
			public String device() {
				return String.join(", ", devices);
			}

			@Override
			public int tileSize() {
				return tile;
			}

			@Override
			public List<String> notes() {
				return notes;
			}

			@Override
			public Map<String, String> provenance() {
				final Map<String, String> m = new LinkedHashMap<>();
				m.put("engine", engine);
				m.put("engine_executors", String.join(", ", executors));
				m.put("engine_assembled_on", assembler);
				m.put("engine_units", Integer.toString(byPlane.values().stream().mapToInt(List::size).sum()));
				m.put("engine_model_time_s", String.format(Locale.ROOT, "%.2f", seconds));
				if (tileNote != null) m.put("engine_tile", tileNote);
				// the driver's reason, as the CLI records it (the executors ran the precision it fixed)
				m.put("precision_choice", precisionChoice);
				return m;
			}
		};
		final String tag = "attempt" + TaskContext.get().taskAttemptId();
		final ImageRestorer assembling = (input, options, progress) -> {
			outSize[0] = input.getWidth() * options.scale();
			outSize[1] = input.getHeight() * options.scale();
			final RestoreResult result = ExecutorInfo.restorer().assemble(input, options, progress, outputs);
			if (file.getFileName().toString().equals(o.failOnceWhileWriting()) && TaskContext.get().attemptNumber() == 0) {
				killWhileWriting(out, tag);
			}
			return result;
		};
		final InputFingerprint input;
		try {
			input = InputFingerprint.of(file);
		}
		catch (final IOException e) {
			return SparkWork.Row.failed(task.index, task.file, "", seconds, "could not be read: " + e.getMessage());
		}
		final BatchRow row = FileRestoration.run(file, out, job, assembling, io.github.sanasr.core.ProgressListener.NONE,
			input, tag);
		final String message = row.status() == BatchStatus.OK && tileNote != null ? tileNote : row.message();
		return SparkWork.Row.of(task.index, new BatchRow(row.file(), row.sizeIn(), row.sizeOut(), seconds +
			FileRestoration.seconds(start), row.status(), message, row.output()));
	}

	/** What a task killed midway through writing leaves: half a file under its temporary name, no cleanup. */
	private static void killWhileWriting(final OutputNames out, final String tag) {
		try {
			Files.createDirectories(out.image().getParent());
			Files.write(AtomicOutput.temporaryName(out.image(), tag), new byte[] { 'I', 'I', 42, 0 });
		}
		catch (final IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
		throw new TaskKilledForTest("test hook: task attempt " + tag + " killed while writing " + out.image());
	}

	/** Bands (sorted by row) of one plane's channel group, stacked into whole output planes. */
	static float[][] stitch(final List<SparkWork.UnitResult> bands, final int group, final int outW, final int outH)
		throws RestoreException
	{
		final int components = bands.get(0).groups[group].length;
		final float[][] plane = new float[components][];
		int row = 0;
		for (final SparkWork.UnitResult b : bands) {
			if (b.rowFrom != row) throw new RestoreException("model output rows " + row + "-" + b.rowFrom + " missing");
			row = b.rowTo;
		}
		if (row != outH) throw new RestoreException("model output rows " + row + "-" + outH + " missing");
		if (bands.size() == 1) return bands.get(0).groups[group];
		for (int k = 0; k < components; k++) {
			plane[k] = new float[outW * outH];
			for (final SparkWork.UnitResult b : bands)
				System.arraycopy(b.groups[group][k], 0, plane[k], b.rowFrom * outW, (b.rowTo - b.rowFrom) * outW);
		}
		return plane;
	}

	private static long order(final SparkWork.UnitResult r) {
		return ((long) r.t << 42) | ((long) r.z << 21) | r.c;
	}

	private static String key(final int c, final int z, final int t) {
		return c + "/" + z + "/" + t;
	}
}
