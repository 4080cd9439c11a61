package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** TilePlan, TileBlender, Normalizer, AreaResampler and TileSizer on their own. */
class TilingUnitTest {

	@Test
	void planCoversThePlaneWithStrideAlignedOverlappingTiles() {
		final Random rnd = new Random(1);
		for (int i = 0; i < 300; i++) {
			final int w = 1 + rnd.nextInt(700), h = 1 + rnd.nextInt(300), stride = 1 << rnd.nextInt(5), halo = rnd.nextInt(20);
			final int tile = rnd.nextInt(300);
			final TilePlan p = new TilePlan(w, h, tile, stride, halo);
			assertEquals(0, p.tileSize() % stride);
			assertTrue(p.tileSize() >= TilePlan.minimumTile(stride, halo));
			assertTrue(p.overlap() >= 2 * halo + 1);
			for (final TilePlan.Axis a : new TilePlan.Axis[] { p.xAxis(), p.yAxis() }) {
				final int len = a == p.xAxis() ? w : h;
				assertEquals(0, a.size() % stride);
				assertTrue(a.origin(0) <= -halo, "margin before the plane");
				assertTrue(a.origin(a.count() - 1) + a.size() >= len + halo, "margin after the plane");
				for (int k = 0; k < a.count(); k++)
					assertEquals(0, Math.floorMod(a.origin(k), stride), "origin on the stride grid");
				for (int k = 1; k < a.count(); k++)
					assertTrue(a.origin(k - 1) + a.size() - a.origin(k) >= p.overlap(), "overlap");
				assertTrue(a.size() <= p.tileSize(), "no tile beyond the wanted size");
				// no more work than the plane, its margins, one overlap per seam and a stride per tile
				final int extent = len + 2 * p.margin();
				assertTrue((long) a.count() * a.size() <= extent + (a.count() - 1L) * p.overlap() + (long) a.count() * stride,
					"plan computes " + a.count() + " x " + a.size() + " for an extent of " + extent);
			}
		}
	}

	@Test
	void aPlaneJustOverTheTileIsSplitIntoHalvesNotIntoNearlyWholeTiles() {
		final TilePlan p = new TilePlan(512, 512, 512, 8, 8);   // extent 528 > 512
		assertEquals(2, p.xAxis().count());
		assertEquals(280, p.xAxis().size());                    // (528 + 24) / 2 = 276, on the stride: 280
		assertEquals(p.overlap(), p.xAxis().overlap());
	}

	@Test
	void smallPlanesGetOnePaddedTile() {
		final TilePlan p = new TilePlan(3, 5, 256, 8, 16);
		assertEquals(1, p.count());
		assertEquals(-16, p.xAxis().origin(0));
		assertEquals(40, p.xAxis().size());
	}

	@Test
	void blendingWeightsSumToOneSoAConstantStaysConstant() {
		for (final int scale : new int[] { 2, 3, 4 }) {
			final TilePlan p = new TilePlan(100, 61, 40, 8, 4);
			assertTrue(p.count() > 4);
			final TileBlender b = new TileBlender(p, scale, 1);
			for (final TilePlan.Tile t : p.tiles()) {
				final float[] c = new float[t.width * scale * t.height * scale];
				java.util.Arrays.fill(c, 7.5f);
				b.add(t, c);
			}
			for (final float v : b.result()[0])
				assertEquals(7.5f, v, 1e-5);
		}
	}

	@Test
	void weightsAreZeroNearANeighboursEdgeAndComplementaryAcrossTheOverlap() {
		final TilePlan p = new TilePlan(200, 10, 64, 8, 4);
		final TileBlender b = new TileBlender(p, 4, 1);
		final TilePlan.Axis a = p.xAxis();
		final float[] w0 = b.axisWeights(a, 0), w1 = b.axisWeights(a, 1);
		final int step = (a.origin(1) - a.origin(0)) * 4;
		for (int k = 0; k < 4 * 4; k++)
			assertEquals(0, w1[k], "halo of the later tile is not used");
		for (int k = 0; k < w1.length && k + step < w0.length; k++)
			assertEquals(1, w0[k + step] + w1[k], 1e-6);
	}

	@Test
	void normalizerUsesRobustPercentilesAndInvertsExactly() {
		final float[] p = new float[1001];
		for (int i = 0; i < p.length; i++)
			p[i] = i;
		p[1000] = 1e9f; // an outlier does not set the range
		final Normalizer n = Normalizer.fit(new float[][] { p }, 1, 99);
		assertEquals(10, n.low(), 1e-9);
		assertEquals(990, n.highValue(), 1e-6);
		final float[] f = n.forward(p);
		assertEquals(0, f[10], 1e-6);
		assertEquals(1, f[990], 1e-6);
		n.inverse(f);
		assertEquals(500, f[500], 1e-3);
	}

	@Test
	void normalizerIgnoresNonFiniteAndSurvivesConstants() {
		final Normalizer n = Normalizer.fit(new float[][] { { Float.NaN, 2, 4, Float.POSITIVE_INFINITY } }, 0, 100);
		assertEquals(2, n.low(), 0);
		assertEquals(4, n.high(), 0);
		assertEquals(2, n.nonFinite());
		final float[] f = n.forward(new float[] { Float.NaN, 3 });
		assertTrue(Float.isFinite(f[0]));
		final Normalizer c = Normalizer.fit(new float[][] { { 5, 5, 5 } }, 0.1, 99.9);
		assertEquals(1, c.range(), 0);
		assertEquals(0, c.forward(new float[] { 5 })[0], 0);
		final Normalizer sparse = Normalizer.fit(new float[][] { new float[10000] }, 0.1, 99.9);
		assertEquals(1, sparse.range(), 0);
		final float[] spots = new float[10000];
		spots[5] = 300;
		assertEquals(300, Normalizer.fit(new float[][] { spots }, 0.1, 99.9).range(), 0, "min..max fallback");
	}

	@Test
	void areaResamplingKeepsMeansAndConstants() {
		final float[] x = new float[2 * 8 * 12];
		final Random r = new Random(3);
		double sum = 0;
		for (int i = 0; i < x.length; i++) {
			x[i] = r.nextFloat();
			sum += x[i];
		}
		for (final int to : new int[] { 1, 2, 3 }) {
			final float[] y = AreaResampler.shrink(x, 2, 12, 8, 4, to);
			assertEquals(2 * (8 / 4 * to) * (12 / 4 * to), y.length);
			double s2 = 0;
			for (final float v : y)
				s2 += v;
			assertEquals(sum / x.length, s2 / y.length, 1e-5);
		}
		final float[] two = AreaResampler.shrink(new float[] { 1, 3, 5, 7, 1, 3, 5, 7, 1, 3, 5, 7, 1, 3, 5, 7 }, 1, 4, 4, 4, 2);
		assertEquals(2, two[0], 1e-6);
		assertEquals(6, two[1], 1e-6);
	}

	@Test
	void tileSizerFollowsTheMemoryBudget() {
		// 100 MB at 2400 B/output px: 43690 px -> 209 px side -> 52 input px -> 48 on the stride
		assertEquals(48, TileSizer.fromBudget(100L << 20, 2400, 4, 8, 4));
		assertEquals(TileSizer.MAX_AUTO_TILE, TileSizer.fromBudget(1L << 40, 2400, 4, 8, 4));
		assertEquals(TilePlan.minimumTile(8, 16), TileSizer.fromBudget(1, 2400, 4, 8, 16));
		assertEquals(64, TileSizer.smaller(128, 8, 4));
		assertEquals(-1, TileSizer.smaller(TilePlan.minimumTile(8, 4), 8, 4));
		assertTrue(TileSizer.auto(-1, 2400, 4, 8, 4) >= TilePlan.minimumTile(8, 4));
	}
}
