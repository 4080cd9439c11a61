package io.github.sanasr.spark;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.FileRestoration;
import io.github.sanasr.batch.ImageFiles;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.core.PlaneOutputs;
import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;

import ij.IJ;
import ij.ImagePlus;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Stage 2 (executor): the model on each unit of a partition ({@code Restorer.restoreBand}), with the unit's
 * tile size; the open input is kept while consecutive units share it.
 */
final class ModelStage {

	private ModelStage() {}

	static Iterator<SparkWork.UnitResult> run(final Iterator<SparkWork.Unit> units, final SparkOptions o,
		final Map<Integer, SparkWork.FileTask> tasks) throws CliArguments.UsageException
	{
		final BatchJob job = o.job();
		final String executor = ExecutorInfo.name();
		return new Iterator<>() {

			private int openIndex = -1;
			private ImagePlus open;
			private String openProblem;

			@Override
			public boolean hasNext() {
				final boolean more = units.hasNext();
				if (!more) ImageFiles.close(open);
				return more;
			}

			@Override
			public SparkWork.UnitResult next() {
				final SparkWork.Unit u = units.next();
				final long start = System.nanoTime();
				final SparkWork.UnitResult r = new SparkWork.UnitResult();
				r.index = u.index;
				r.c = u.c;
				r.z = u.z;
				r.t = u.t;
				r.rowFrom = u.rowFrom;
				r.rowTo = u.rowTo;
				r.bands = u.bands;
				r.executor = executor;
				try {
					if (u.index != openIndex) {
						ImageFiles.close(open);
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
						final RestoreOptions options = job.options().toBuilder().tile(u.tile).build();
						final PlaneOutputs.Band band = ExecutorInfo.restorer().restoreBand(open, options, u.c, u.z, u.t,
							u.rowFrom, u.rowTo, ProgressListener.NONE);
						r.groups = band.groups();
						r.tiles = band.tiles();
						r.tile = band.tile();
						r.device = band.device();
						r.notes = band.notes().toArray(new String[0]);
					}
				}
				catch (final RestoreException e) {
					r.error = e.getMessage();
				}
				catch (final RuntimeException | OutOfMemoryError e) {
					r.error = "unexpected error: " + e;
				}
				r.seconds = FileRestoration.seconds(start);
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
			ImageFiles.close(virtual);
			return full;
		}
		ImageFiles.close(full);
		return virtual;
	}
}
