package io.github.sanasr.spark;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.FileRestoration;
import io.github.sanasr.batch.ImageFiles;
import io.github.sanasr.batch.OutputFormat;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.core.PlaneSource;

import ij.ImagePlus;

import java.nio.file.Path;

/** Stage 1 (executor): opens a file with the batch runner's opener and reports its layout, or why it is unusable. */
final class LayoutStage {

	private LayoutStage() {}

	static SparkWork.FilePlan plan(final SparkWork.FileTask t, final SparkOptions o) throws CliArguments.UsageException {
		final long start = System.nanoTime();
		final BatchJob job = o.job();
		final SparkWork.FilePlan p = new SparkWork.FilePlan();
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
			ImageFiles.close(imp);
		}
		p.seconds = FileRestoration.seconds(start);
		return p;
	}
}
