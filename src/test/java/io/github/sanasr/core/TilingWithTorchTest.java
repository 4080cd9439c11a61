package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ImageProcessor;

import org.junit.jupiter.api.Test;

/** Tiling through the real TorchScript test models (DJL, CPU). */
class TilingWithTorchTest {

	private static ImagePlus restore(final ImagePlus in, final String model, final int tile) throws Exception {
		return new Restorer().log(null).restore(in, RestoreOptions.builder().model(TestImages.model(model).toString())
			.tile(tile).float32Output(true).build(), null).image();
	}

	private static double maxDifference(final ImagePlus a, final ImagePlus b) {
		double max = 0;
		for (int i = 1; i <= a.getStackSize(); i++) {
			final float[] p = (float[]) a.getStack().getPixels(i), q = (float[]) b.getStack().getPixels(i);
			for (int k = 0; k < p.length; k++)
				max = Math.max(max, Math.abs(p[k] - q[k]));
		}
		return max;
	}

	@Test
	void convolutionalModelTiledEqualsUntiled() throws Exception {
		for (final int depth : new int[] { 32, 24 }) {
			final ImagePlus in = TestImages.image("t", depth, 90, 70, 1, 1, 1);
			final ImagePlus whole = restore(in, "conv-x4", 512);
			final ImagePlus tiled = restore(in, "conv-x4", 32);
			final TilePlan plan = new TilePlan(90, 70, 32, 8, 4);
			assertTrue(plan.count() >= 20, "really tiled: " + plan.count());
			assertEquals(1, new TilePlan(90, 70, 512, 8, 4).count());
			assertTrue(maxDifference(whole, tiled) <= 1e-4, "max difference " + maxDifference(whole, tiled));
		}
	}

	/**
	 * The attention model's tiles disagree (each sees a different global context); the blending must hide it:
	 * the mean gradient across the overlaps is within 5 % of the mean gradient elsewhere.
	 */
	@Test
	void attentionModelShowsNoSeams() throws Exception {
		final ImagePlus in = noise(256, 192);
		final int tile = 48;
		final ImagePlus tiled = restore(in, "attention-x4", tile);
		final ImagePlus whole = restore(in, "attention-x4", 512);
		final double disagreement = maxDifference(whole, tiled);
		assertTrue(disagreement > 1e-4, "tiles must differ for this test to mean anything: " + disagreement);

		final TilePlan plan = new TilePlan(256, 192, tile, 8, 4);
		final ImageProcessor out = tiled.getProcessor();
		final double[] x = gradients(out, borderMask(plan.xAxis(), plan.halo(), out.getWidth(), 4), true);
		final double[] y = gradients(out, borderMask(plan.yAxis(), plan.halo(), out.getHeight(), 4), false);
		assertTrue(Math.abs(x[0] / x[1] - 1) < 0.05, "x: across tile borders " + x[0] + ", elsewhere " + x[1]);
		assertTrue(Math.abs(y[0] / y[1] - 1) < 0.05, "y: across tile borders " + y[0] + ", elsewhere " + y[1]);

		// The measure does see seams: naive tiling (48-px tiles pasted side by side, no overlap) fails it
		// (its tile edges, zero-padded inside the network, come out visibly smoother than the rest).
		final ImageProcessor naive = naiveTiles(in, "attention-x4", tile);
		final boolean[] naiveBorders = new boolean[naive.getWidth()];
		for (int k = tile * 4; k < naive.getWidth(); k += tile * 4)
			for (int d = -2; d < 2; d++)
				naiveBorders[k + d] = true;
		final double[] n = gradients(naive, naiveBorders, true);
		assertTrue(Math.abs(n[0] / n[1] - 1) > 0.05, "naive tiling: across borders " + n[0] + ", elsewhere " + n[1]);
	}

	/** Smoothed noise: a texture with the same statistics everywhere, so that gradients compare fairly. */
	private static ImagePlus noise(final int w, final int h) {
		final ij.process.FloatProcessor fp = new ij.process.FloatProcessor(w, h);
		final java.util.Random r = new java.util.Random(11);
		for (int i = 0; i < w * h; i++)
			fp.setf(i, (float) r.nextGaussian());
		fp.blurGaussian(1.0);
		return new ImagePlus("noise", fp);
	}

	/**
	 * Output columns (or rows) where a seam would show: where each tile's used part begins and ends (halo from
	 * its edge) and the middle of each overlap, 4 output pixels (one input pixel's width, so that
	 * the nearest-neighbour-like block edges of the output are sampled as often as elsewhere).
	 */
	private static boolean[] borderMask(final TilePlan.Axis a, final int halo, final int n, final int s) {
		final boolean[] m = new boolean[n];
		for (int k = 1; k < a.count(); k++) {
			final int start = a.origin(k), end = a.origin(k - 1) + a.size();
			for (final int b : new int[] { (start + halo) * s, (end - halo) * s, (start + end) * s / 2 })
				for (int d = -2; d < 2; d++)
					if (b + d >= 1 && b + d < n) m[b + d] = true;
		}
		return m;
	}

	/** Tiles of the normalised image run one by one and pasted without overlap: what blending avoids. */
	private static ImageProcessor naiveTiles(final ImagePlus in, final String model, final int tile) throws Exception {
		final io.github.sanasr.model.ModelDescriptor d = io.github.sanasr.model.ModelDescriptor.read(
			TestImages.model(model).resolve("model.json"));
		final ImageProcessor ip = in.getProcessor();
		final int w = ip.getWidth(), h = ip.getHeight();
		final Normalizer nz = Normalizer.fit(new float[][] { (float[]) ip.getPixels() }, 0.1, 99.9);
		final float[] norm = nz.forward((float[]) ip.getPixels());
		final ij.process.FloatProcessor out = new ij.process.FloatProcessor(w * 4, h * 4);
		try (io.github.sanasr.model.TileModel m = io.github.sanasr.model.SrModel.open(d, RestoreOptions.DeviceChoice.CPU)) {
			for (int ty = 0; ty < h; ty += tile)
				for (int tx = 0; tx < w; tx += tile) {
					final float[] chw = new float[3 * tile * tile];
					for (int c = 0; c < 3; c++)
						for (int y = 0; y < tile; y++)
							for (int x = 0; x < tile; x++)
								chw[(c * tile + y) * tile + x] = norm[Math.min(h - 1, ty + y) * w + Math.min(w - 1, tx + x)];
					final float[] o = m.predict(chw, 3, tile, tile, 0);
					final int ts = tile * 4;
					for (int y = 0; y < ts && ty * 4 + y < h * 4; y++)
						for (int x = 0; x < ts && tx * 4 + x < w * 4; x++)
							out.setf(tx * 4 + x, ty * 4 + y, (float) (nz.low() + nz.range() * (o[y * ts + x] + o[(ts + y) * ts + x] +
								o[(2 * ts + y) * ts + x]) / 3));
				}
		}
		return out;
	}

	/** Mean |difference to the previous pixel| along x (or y): {inside the mask, outside}. */
	private static double[] gradients(final ImageProcessor ip, final boolean[] mask, final boolean alongX) {
		double in = 0, out = 0;
		long nIn = 0, nOut = 0;
		for (int y = alongX ? 0 : 1; y < ip.getHeight(); y++)
			for (int x = alongX ? 1 : 0; x < ip.getWidth(); x++) {
				final double g = Math.abs(ip.getf(x, y) - (alongX ? ip.getf(x - 1, y) : ip.getf(x, y - 1)));
				if (mask[alongX ? x : y]) {
					in += g;
					nIn++;
				}
				else {
					out += g;
					nOut++;
				}
			}
		return new double[] { in / nIn, out / nOut };
	}
}
