package io.github.sanasr.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's pieces that need no Spark context: options, units of work, thread counts, stitching. */
class SparkPiecesTest {

	@TempDir
	Path tmp;

	@Test
	void optionsAreTheCliOptionsPlusSparkOnes() throws Exception {
		final Path list = Files.writeString(tmp.resolve("files.txt"), "# inputs\nsub/a.tif\n\n" + tmp.resolve("b.png") + "\n");
		final SparkOptions o = SparkOptions.parse(List.of("--master", "local[3]", "--list", list.toString(), "--output",
			tmp.resolve("out").toString(), "--band-budget-mb=16", "--scale", "2", "--tile", "auto", "--recursive"));
		assertEquals("local[3]", o.master());
		assertEquals(16L << 20, o.bandBudgetBytes());
		final BatchJob job = o.job();
		assertEquals(List.of(tmp.resolve("sub/a.tif"), tmp.resolve("b.png")), job.inputs(), "list entries relative to the list");
		assertEquals(2, job.options().scale());
		assertTrue(job.recursive());
		assertEquals(RestoreOptions.AUTO_TILE, job.options().tile());
		assertEquals(RestoreOptions.PrecisionChoice.AUTO, job.options().precision());
		assertFalse(job.options().consistency());
		final SparkOptions fast = SparkOptions.parse(List.of("in", "--output", "o", "--precision", "auto", "--consistency"));
		assertTrue(fast.job().options().consistency());
		assertEquals(RestoreOptions.PrecisionChoice.BFLOAT16, fast.withPrecision("bfloat16").job().options().precision(),
			"the driver's fixed precision wins over auto");
		assertThrows(CliArguments.UsageException.class, () -> SparkOptions.parse(List.of("in", "--output", "o",
			"--precision", "fp16")));

		assertThrows(CliArguments.UsageException.class, () -> SparkOptions.parse(List.of("in", "--output", "o", "--band-budget-mb", "0")));
		assertThrows(CliArguments.UsageException.class, () -> SparkOptions.parse(List.of("in", "--output", "o", "--scale", "9")));
		assertThrows(CliArguments.UsageException.class, () -> SparkOptions.parse(List.of("in", "--output", "o", "--bogus")));
		assertThrows(CliArguments.UsageException.class, () -> SparkOptions.parse(List.of("in")), "--output is required");
	}

	@Test
	void largePlanesBecomeBandsThatCoverEveryOutputRow() throws Exception {
		final ModelDescriptor d = new ModelRegistry().resolve(SparkRestoreTest.MODEL.toString());
		final RestoreOptions options = RestoreOptions.builder().model(SparkRestoreTest.MODEL.toString()).tile(32).build();
		final SparkWork.FilePlan p = new SparkWork.FilePlan();
		p.width = 200;
		p.height = 150;
		p.channels = 2;
		p.slices = 3;
		p.frames = 1;
		p.components = 1;
		// output 800x600 floats with weights: 3.84 MB per plane
		assertEquals(6, UnitPlanner.units(p, d, options, 4L << 20).size(), "one unit per plane under the budget");
		final List<SparkWork.Unit> units = UnitPlanner.units(p, d, options, 1L << 20);
		assertEquals(6 * 4, units.size(), "4 bands per plane at 1 MB");
		assertEquals(List.of(1, 1, 1, 1, 2, 2, 2, 2), units.subList(0, 8).stream().map(u -> u.c).toList(), "c fastest, as the core");
		int row = 0;
		for (final SparkWork.Unit u : units.subList(0, 4)) {
			assertEquals(row, u.rowFrom);
			assertTrue(u.rowTo > u.rowFrom);
			row = u.rowTo;
		}
		assertEquals(600, row);
		// never more bands than rows of tiles
		final int tileRows = new io.github.sanasr.core.TilePlan(200, 150, 32, d.stride(), d.halo()).yAxis().count();
		assertEquals(6 * tileRows, UnitPlanner.units(p, d, options, 1).size());
	}

	/** Issue 17, item 3: under --tile auto only a plane split into bands gets a tile other than the CLI's. */
	@Test
	void underAutoOnlyBandedPlanesGetTheBudgetTile() throws Exception {
		final ModelDescriptor d = new ModelRegistry().resolve(SparkRestoreTest.MODEL.toString());
		final RestoreOptions auto = RestoreOptions.builder().model(SparkRestoreTest.MODEL.toString()).build();
		final SparkWork.FilePlan p = new SparkWork.FilePlan();
		p.width = 200;
		p.height = 150;
		p.channels = p.slices = p.frames = p.components = 1;
		final List<SparkWork.Unit> whole = UnitPlanner.units(p, d, auto, 4L << 20);
		assertEquals(1, whole.size());
		assertEquals(RestoreOptions.AUTO_TILE, whole.get(0).tile, "a plane under the budget: the CLI's automatic tile");
		assertEquals(1, whole.get(0).bands);
		final List<SparkWork.Unit> banded = UnitPlanner.units(p, d, auto, 1L << 20);
		assertTrue(banded.size() > 1);
		for (final SparkWork.Unit u : banded) {
			assertEquals(UnitPlanner.bandTile(d, 1L << 20), u.tile, "bands share the tile from the budget");
			assertEquals(banded.size(), u.bands);
		}
	}

	@Test
	void torchThreadsShareTheExecutorsCores() {
		assertEquals(1, ExecutorRestorer.torchThreads(2, 1, 2), "local[2] on 2 cores: 2 tasks x 1 thread");
		assertEquals(1, ExecutorRestorer.torchThreads(1, 1, 2), "local[1]: 1 thread");
		assertEquals(2, ExecutorRestorer.torchThreads(8, 2, 16), "8 cores, 2 per task: 4 tasks x 2 threads");
		assertEquals(1, ExecutorRestorer.torchThreads(16, 1, 4), "more slots than cores: 1 thread each");
		assertEquals(4, ExecutorRestorer.torchThreads(4, 4, 8), "one task of 4 cores");
	}

	@Test
	void stitchingRefusesMissingRows() throws Exception {
		final SparkWork.UnitResult a = band(0, 2, 3), b = band(3, 4, 3);
		final RestoreException e = assertThrows(RestoreException.class, () -> AssemblyStage.stitch(List.of(a, b), 0, 3, 4));
		assertTrue(e.getMessage().contains("2-3"), e.getMessage());
		final SparkWork.UnitResult c = band(2, 3, 3);
		final List<SparkWork.UnitResult> all = new ArrayList<>(List.of(a, c, b));
		final float[][] p = AssemblyStage.stitch(all, 0, 3, 4);
		for (int y = 0; y < 4; y++)
			assertEquals(y, p[0][y * 3], "row " + y);
	}

	private static SparkWork.UnitResult band(final int from, final int to, final int w) {
		final SparkWork.UnitResult r = new SparkWork.UnitResult();
		r.rowFrom = from;
		r.rowTo = to;
		final float[] px = new float[(to - from) * w];
		for (int i = 0; i < px.length; i++)
			px[i] = from + i / w;
		r.groups = new float[][][] { { px } };
		return r;
	}
}
