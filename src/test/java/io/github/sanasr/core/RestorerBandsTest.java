package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ij.ImagePlus;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.TileModel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * A restoration computed as bands of planes ({@link Restorer#restoreBand}) and assembled
 * ({@link Restorer#assemble}) equals the one-piece restoration bit for bit. The test double's output depends
 * on where a pixel lies in its tile, so overlapping tiles disagree and any change in which tiles are blended,
 * or with which weights, changes the result.
 */
class RestorerBandsTest {

	private final String model = TestImages.model("conv-x4").toString(); // stride 8, halo 4

	/** Nearest-neighbour upsampling plus a ramp across the tile: tiles disagree where they overlap. */
	static final class TileDependentModel implements TileModel {

		@Override
		public float[] predict(final float[] chw, final int channels, final int height, final int width, final int prompt) {
			final int ow = width * 4, oh = height * 4;
			final float[] out = new float[channels * ow * oh];
			for (int c = 0; c < channels; c++)
				for (int y = 0; y < oh; y++)
					for (int x = 0; x < ow; x++)
						out[(c * oh + y) * ow + x] = chw[(c * height + y / 4) * width + x / 4] + 0.01f * (x + 2 * y) / ow;
			return out;
		}

		@Override
		public String device() {
			return "java-test-double";
		}

		@Override
		public void close() {}
	}

	private Restorer restorer() {
		return new Restorer(new ModelRegistry(List.of(), getClass().getClassLoader()), (d, dev) -> new TileDependentModel())
			.log(null);
	}

	@ParameterizedTest(name = "{0}-bit c{1} z{2}, bands split at {3}")
	@CsvSource({ "8,1,1,'1,37,90'", "16,2,2,'64'", "24,1,1,'3,4,100,147'", "32,1,3,'50,51'" })
	void bandsAssembleToTheSameImage(final int depth, final int c, final int z, final String splits) throws Exception {
		final ImagePlus in = TestImages.image("bands.tif", depth, 50, 37, c, z, 1);
		final RestoreOptions options = RestoreOptions.builder().model(model).tile(24).fidelityMap(true).build();
		final RestoreResult whole = restorer().restore(in, options, null);

		final int outH = 37 * 4;
		final List<Integer> rows = new ArrayList<>(List.of(0));
		for (final String s : splits.split(","))
			rows.add(Integer.parseInt(s.trim()));
		rows.add(outH);
		final Map<String, List<PlaneOutputs.Band>> bands = new HashMap<>();
		final Restorer r = restorer();
		for (int zz = 1; zz <= z; zz++)
			for (int cc = 1; cc <= c; cc++)
				for (int i = 0; i + 1 < rows.size(); i++)
					bands.computeIfAbsent(cc + "/" + zz, k -> new ArrayList<>()).add(r.restoreBand(in, options, cc, zz, 1,
						rows.get(i), rows.get(i + 1), null));
		final RestoreResult assembled = r.assemble(in, options, null, new PlaneOutputs() {

			@Override
			public float[][] plane(final int pc, final int pz, final int pt, final int group) {
				final List<PlaneOutputs.Band> list = bands.get(pc + "/" + pz);
				final int n = list.get(0).groups()[group].length, w = 50 * 4;
				final float[][] p = new float[n][w * outH];
				for (final PlaneOutputs.Band b : list)
					for (int k = 0; k < n; k++)
						System.arraycopy(b.groups()[group][k], 0, p[k], b.rowFrom() * w, (b.rowTo() - b.rowFrom()) * w);
				return p;
			}

			@Override
			public String device() {
				return "elsewhere";
			}

			@Override
			public Map<String, String> provenance() {
				return Map.of("engine", "test");
			}
		});
		assertEquals(TestImages.checksum(whole.image()), TestImages.checksum(assembled.image()));
		assertEquals(TestImages.checksum(whole.fidelityMap().get()), TestImages.checksum(assembled.fidelityMap().get()));
		final Map<String, String> a = new HashMap<>(whole.provenance().entries()), b = new HashMap<>(assembled.provenance().entries());
		for (final String k : List.of("run_time_s", "date", "device")) {
			a.remove(k);
			b.remove(k);
		}
		assertEquals("test", b.remove("engine"));
		assertEquals(a, b);
		assertEquals("elsewhere", assembled.provenance().entries().get("device"));
	}

	@Test
	void theDoubleMakesOverlapsMatter() throws Exception {
		// the premise of the test above: a different tiling gives a different image with this double
		final ImagePlus in = TestImages.image("t.tif", 32, 50, 37, 1, 1, 1);
		final String a = TestImages.checksum(restorer().restore(in, RestoreOptions.builder().model(model).tile(24).build(), null).image());
		final String b = TestImages.checksum(restorer().restore(in, RestoreOptions.builder().model(model).tile(32).build(), null).image());
		assertNotEquals(a, b);
	}

	@Test
	void aBandBlenderKeepsExactlyItsRowsOfTheWholePlane() {
		final TilePlan plan = new TilePlan(90, 70, 32, 8, 4);
		final TileBlender whole = new TileBlender(plan, 4, 2), band = new TileBlender(plan, 4, 2, 33, 77);
		final java.util.Random rnd = new java.util.Random(3);
		int skipped = 0;
		for (final TilePlan.Tile t : plan.tiles()) {
			final float[] y = new float[2 * t.width * 4 * t.height * 4];
			for (int i = 0; i < y.length; i++)
				y[i] = rnd.nextFloat();
			whole.add(t, y);
			if (band.touches(t)) band.add(t, y);
			else skipped++;
		}
		final float[][] w = whole.result(), b = band.result();
		for (int k = 0; k < 2; k++)
			assertArrayEquals(java.util.Arrays.copyOfRange(w[k], 33 * 360, 77 * 360), b[k]);
		assertEquals(true, skipped > 0, "a band needs only some of the tiles");
	}

	@Test
	void partsOfAPlaneNeedAFixedTileAndAWholePlaneIsRunAsRestoreRunsIt() throws Exception {
		final ImagePlus in = TestImages.image("t.tif", 8, 60, 50, 1, 1, 1);
		final RestoreOptions auto = RestoreOptions.builder().model(model).build();
		assertThrows(RestoreException.class, () -> restorer().restoreBand(in, auto, 1, 1, 1, 0, 80, null));
		// the whole plane under "auto": the tile restore chooses, and the same pixels once assembled
		final RestoreResult whole = restorer().restore(in, auto, null);
		final PlaneOutputs.Band band = restorer().restoreBand(in, auto, 1, 1, 1, 0, 200, null);
		assertEquals(whole.provenance().entries().get("tile_size"), Integer.toString(band.tile()));
		final RestoreResult assembled = restorer().assemble(in, auto, null, new PlaneOutputs() {

			@Override
			public float[][] plane(final int c, final int z, final int t, final int group) {
				return band.groups()[group];
			}

			@Override
			public String device() {
				return band.device();
			}

			@Override
			public int tileSize() {
				return band.tile();
			}

			@Override
			public Map<String, String> provenance() {
				return Map.of();
			}
		});
		assertEquals(TestImages.checksum(whole.image()), TestImages.checksum(assembled.image()));
	}
}
