package io.github.sanasr.spark;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.BatchStatus;
import io.github.sanasr.batch.OutputNames;

import java.io.Serializable;
import java.nio.file.Path;

/** What the driver and the executors hand each other (paths as strings: Path is not serializable). */
final class SparkWork {

	private SparkWork() {}

	/** One input file to restore. */
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

	/**
	 * Stage 2's work unit: output rows [rowFrom, rowTo) of plane (c, z, t) of file {@code index}, one of
	 * {@code bands} bands of the plane, run with tile size {@code tile} (0: chosen as ./sana-sr chooses it).
	 */
	static final class Unit implements Serializable {
		private static final long serialVersionUID = 1L;
		final int index, c, z, t, rowFrom, rowTo, tile, bands;

		Unit(final int index, final int c, final int z, final int t, final int rowFrom, final int rowTo, final int tile,
			final int bands)
		{
			this.index = index;
			this.c = c;
			this.z = z;
			this.t = t;
			this.rowFrom = rowFrom;
			this.rowTo = rowTo;
			this.tile = tile;
			this.bands = bands;
		}
	}

	/** Stage 2's answer: the model's blended output for one unit, or the error that stopped it. */
	static final class UnitResult implements Serializable {
		private static final long serialVersionUID = 1L;
		int index, c, z, t, rowFrom, rowTo, tiles, tile, bands;
		float[][][] groups;
		String device, executor, error;
		String[] notes = new String[0];
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

		static Row of(final int index, final BatchRow b) {
			final Row r = new Row();
			r.index = index;
			r.file = b.file().toString();
			r.sizeIn = b.sizeIn();
			r.sizeOut = b.sizeOut();
			r.message = b.message();
			r.output = b.output() == null ? null : b.output().toString();
			r.seconds = b.seconds();
			r.status = b.status();
			return r;
		}

		static Row failed(final int index, final String file, final String sizeIn, final double seconds, final String message) {
			return of(index, BatchRow.failed(Path.of(file), sizeIn, seconds, message));
		}
	}
}
