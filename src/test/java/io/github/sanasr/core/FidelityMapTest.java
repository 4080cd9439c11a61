package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;

import org.junit.jupiter.api.Test;

/**
 * The fidelity map on synthetic outputs whose answer is known: consistency (block means against the input)
 * and invented detail (the detail band's RMS per block).
 */
class FidelityMapTest {

	private static final int W = 6, H = 5, S = 4;

	/** Bilinear upsampling (half-pixel centres, clamped edges) of a w x h plane by s. */
	private static float[] bilinear(final double[] low, final int w, final int h, final int s) {
		final int ow = w * s, oh = h * s;
		final int[] x0 = new int[ow], x1 = new int[ow], y0 = new int[oh], y1 = new int[oh];
		final double[] fx = new double[ow], fy = new double[oh];
		InventedDetail.weights(w, s, x0, x1, fx);
		InventedDetail.weights(h, s, y0, y1, fy);
		final float[] up = new float[ow * oh];
		for (int y = 0; y < oh; y++)
			for (int x = 0; x < ow; x++)
				up[y * ow + x] = (float) ((1 - fy[y]) * ((1 - fx[x]) * low[y0[y] * w + x0[x]] + fx[x] * low[y0[y] * w + x1[x]]) +
					fy[y] * ((1 - fx[x]) * low[y1[y] * w + x0[x]] + fx[x] * low[y1[y] * w + x1[x]]));
		return up;
	}

	/** The output's block means: what a consistent input would have measured. */
	private static float[] blockMeans(final float[] o, final int w, final int h, final int s) {
		final float[] m = new float[w * h];
		for (int y = 0; y < h * s; y++)
			for (int x = 0; x < w * s; x++)
				m[(y / s) * w + x / s] += o[y * w * s + x] / (float) (s * s);
		return m;
	}

	/** A zero-mean checkerboard of amplitude a added to output block (bx, by): its mean stays exactly. */
	private static void texture(final float[] o, final int bx, final int by, final float a) {
		for (int dy = 0; dy < S; dy++)
			for (int dx = 0; dx < S; dx++)
				o[(by * S + dy) * W * S + bx * S + dx] += (dx + dy) % 2 == 0 ? a : -a;
	}

	private static FidelityMap map(final float[] measured, final float[] output, final double range) {
		final FidelityMap f = new FidelityMap(new ImagePlus("in", new FloatProcessor(W, H)), 1, S, true);
		f.add(1, 1, 1, new float[][] { measured }, new float[][] { output }, new double[] { range });
		return f;
	}

	private static float[] plane(final ImagePlus map, final int channel) {
		return (float[]) map.getStack().getPixels(map.getStackIndex(channel, 1, 1));
	}

	@Test
	void zeroMeanTextureIsConsistentButShowsAsInventedDetailInItsBlocksOnly() {
		final float[] output = new float[W * S * H * S];
		java.util.Arrays.fill(output, 0.3f);
		texture(output, 2, 1, 0.25f);
		texture(output, 5, 4, 0.125f);
		final float[] measured = new float[W * H];
		java.util.Arrays.fill(measured, 0.3f);
		final FidelityMap f = map(measured, output, 2.0);
		final ImagePlus m = f.build("t");
		final float[] consistency = plane(m, 1), invented = plane(m, 2);
		for (int i = 0; i < W * H; i++) {
			assertEquals(0, consistency[i], 1e-7, "consistency at " + i);
			final double expected = i == 1 * W + 2 ? 0.25 / 2 : i == 4 * W + 5 ? 0.125 / 2 : 0;
			assertEquals(expected, invented[i], 1e-7, "invented detail at " + i);
		}
		assertEquals(0, f.rms(), 1e-7);
		// the RMS over all pixels: of the band over the whole output, over the range
		assertEquals(Math.sqrt((0.125 * 0.125 + 0.0625 * 0.0625) / (W * H)), f.inventedRms(), 1e-7);
	}

	@Test
	void textureOnASmoothOutputShowsOnlyWhereItWasAdded() {
		// a smooth output: the bilinear upsampling of a gentle ramp; its own band is close to 0
		final double[] low = new double[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				low[y * W + x] = 0.2 + 0.02 * x + 0.01 * y;
		final float[] smooth = bilinear(low, W, H, S);
		final FidelityMap plain = map(blockMeans(smooth, W, H, S), smooth, 1.0);
		assertEquals(0, plain.rms(), 1e-6, "measured = the output's block means: consistent");
		assertTrue(plain.inventedRms() < 2e-3, "a smooth output holds ~no invented detail: " + plain.inventedRms());

		final float[] textured = smooth.clone();
		texture(textured, 3, 2, 0.2f);
		final FidelityMap tex = map(blockMeans(smooth, W, H, S), textured, 1.0);
		final ImagePlus a = plain.build("a"), b = tex.build("b");
		assertEquals(0, tex.rms(), 1e-6, "zero-mean texture leaves the consistency map unchanged");
		for (int i = 0; i < W * H; i++) {
			assertEquals(plane(a, 1)[i], plane(b, 1)[i], 1e-7, "consistency at " + i);
			if (i == 2 * W + 3) assertTrue(plane(b, 2)[i] > 0.19 && plane(a, 2)[i] < 2e-3, plane(b, 2)[i] + " " + plane(a, 2)[i]);
			else assertEquals(plane(a, 2)[i], plane(b, 2)[i], 1e-6, "invented detail elsewhere is untouched at " + i);
		}
		assertTrue(tex.inventedRms() > 10 * plain.inventedRms());
	}

	@Test
	void theBandIsTheEvaluationsBand() {
		// per block RMS of sanasr.evaluation.texture.band on this 12x8 pattern, computed with numpy (factor 4)
		final double[] expected = { 0.3624681993216058, 0.35001562798895436, 0.34690898780302537,
			0.34392718603664074, 0.36285839286697236, 0.3491197492666966 };
		final float[] o = new float[12 * 8];
		for (int y = 0; y < 8; y++)
			for (int x = 0; x < 12; x++)
				o[y * 12 + x] = ((x * 7 + y * 3) % 5) / 4f;
		final float[] means = blockMeans(o, 3, 2, 4);
		final double[] m = new double[means.length];
		for (int i = 0; i < m.length; i++)
			m[i] = means[i];
		final float[] rms = InventedDetail.blockRms(o, m, 3, 2, 4, 2.0);
		for (int i = 0; i < expected.length; i++)
			assertEquals(expected[i] / 2, rms[i], 1e-6, "block " + i);
	}

	@Test
	void bilinearWeightsUseHalfPixelCentresAndClampedEdges() {
		final int[] i0 = new int[12], i1 = new int[12];
		final double[] f = new double[12];
		InventedDetail.weights(3, 4, i0, i1, f);
		// source x = max((p + 0.5) / 4 - 0.5, 0)
		assertEquals(0, i0[0]);
		assertEquals(0, f[0]);
		assertEquals(0, f[1]);
		assertEquals(0.125, f[2]);
		assertEquals(1, i1[2]);
		assertEquals(1, i0[6]);
		assertEquals(0.125, f[6]);
		assertEquals(2, i0[11]);
		assertEquals(2, i1[11], "clamped at the last pixel");
	}

	@Test
	void nonFiniteOutputIsNaNInBothHalvesAndLeftOutOfTheRms() {
		final float[] output = new float[W * S * H * S];
		java.util.Arrays.fill(output, 0.5f);
		output[0] = Float.NaN;
		final FidelityMap f = map(new float[W * H], output, 1.0);
		final ImagePlus m = f.build("n");
		assertTrue(Float.isNaN(plane(m, 1)[0]));
		assertTrue(Float.isNaN(plane(m, 2)[0]));
		assertEquals(0, plane(m, 2)[3 * W + 4], 1e-7, "far from the NaN block the flat output has no band");
		assertTrue(Double.isFinite(f.inventedRms()));
		assertEquals(0.5, f.rms(), 1e-6);
	}

	@Test
	void theMapHasBothHalvesLabelledPerChannelSliceAndFrame() {
		final ImageStack in = new ImageStack(3, 2);
		for (int i = 0; i < 2 * 2 * 3; i++)
			in.addSlice(new FloatProcessor(3, 2));
		final ImagePlus input = new ImagePlus("in", in);
		input.setDimensions(2, 2, 3);
		final FidelityMap f = new FidelityMap(input, 1, 2, true);
		for (int t = 1; t <= 3; t++)
			for (int z = 1; z <= 2; z++)
				for (int c = 1; c <= 2; c++) {
					final float[] o = new float[6 * 4];
					java.util.Arrays.fill(o, c + 10 * z + 100 * t); // consistency = that value: says which plane it is
					f.add(c, z, t, new float[][] { new float[6] }, new float[][] { o }, new double[] { 1 });
				}
		final ImagePlus m = f.build("x-fidelity");
		assertEquals(3, m.getWidth());
		assertEquals(2, m.getHeight());
		assertEquals(4, m.getNChannels());
		assertEquals(2, m.getNSlices());
		assertEquals(3, m.getNFrames());
		assertTrue(m.isComposite());
		for (int t = 1; t <= 3; t++)
			for (int z = 1; z <= 2; z++)
				for (int c = 1; c <= 2; c++) {
					assertEquals("consistency c" + c, m.getStack().getSliceLabel(m.getStackIndex(c, z, t)));
					assertEquals("invented detail c" + c, m.getStack().getSliceLabel(m.getStackIndex(2 + c, z, t)));
					assertEquals(c + 10 * z + 100 * t, m.getStack().getProcessor(m.getStackIndex(c, z, t)).getf(1, 1), 1e-4);
				}
		// display: consistency signed, invented detail from 0
		m.setPosition(1, 1, 1);
		assertEquals(-0.1, m.getDisplayRangeMin(), 1e-9);
		m.setPosition(3, 1, 1);
		assertEquals(0, m.getDisplayRangeMin(), 1e-9);
		assertEquals(0.1, m.getDisplayRangeMax(), 1e-9);

		// RGB: three components per channel, named R, G, B
		final FidelityMap rgb = new FidelityMap(new ImagePlus("rgb", new ij.process.ColorProcessor(3, 2)), 3, 2, true);
		rgb.add(1, 1, 1, new float[3][6], new float[][] { new float[24], new float[24], new float[24] },
			new double[] { 1, 1, 1 });
		final ImagePlus rm = rgb.build("rgb-fidelity");
		assertEquals(6, rm.getNChannels());
		assertEquals("consistency c1 R", rm.getStack().getSliceLabel(1));
		assertEquals("consistency c1 B", rm.getStack().getSliceLabel(3));
		assertEquals("invented detail c1 G", rm.getStack().getSliceLabel(5));
		assertEquals(null, new FidelityMap(input, 1, 2, false).build("none"), "not kept: no image");
	}
}
