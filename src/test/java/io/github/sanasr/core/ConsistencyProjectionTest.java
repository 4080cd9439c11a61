package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.TileModel;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The binning consistency projection: alone, and as a stage of the core with a model that is not consistent. */
class ConsistencyProjectionTest {

	private static float[] random(final int n, final long seed, final float scale) {
		final Random r = new Random(seed);
		final float[] a = new float[n];
		for (int i = 0; i < n; i++)
			a[i] = (float) (r.nextGaussian() * scale + 3 * scale);
		return a;
	}

	/** The mean of each scale x scale block, in double. */
	private static double[] areaDown(final float[] out, final int w, final int h, final int s) {
		final double[] m = new double[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double acc = 0;
				for (int dy = 0; dy < s; dy++)
					for (int dx = 0; dx < s; dx++)
						acc += out[(y * s + dy) * w * s + x * s + dx];
				m[y * w + x] = acc / (s * s);
			}
		return m;
	}

	@ParameterizedTest(name = "x{0}")
	@ValueSource(ints = { 2, 3, 4 })
	void projectedOutputDownscalesExactlyToTheInputAndTheInputIsUnchanged(final int s) {
		final int w = 13, h = 9;
		final float[] in = random(w * h, 1, 1000);
		final float[] inCopy = in.clone();
		final float[] out = random(w * s * h * s, 2, 1000);
		final float[] before = out.clone();
		ConsistencyProjection.project(out, in, w, h, s);
		assertArrayEquals(inCopy, in, "the input was changed");
		final double[] down = areaDown(out, w, h, s);
		for (int i = 0; i < in.length; i++)
			assertEquals(in[i], down[i], 1e-4 * Math.abs(in[i]) + 1e-3, "block " + i);
		// detail inside a block is kept: every pixel of a block moves by the same amount
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				final int first = y * s * w * s + x * s;
				final double shift = out[first] - before[first];
				for (int dy = 0; dy < s; dy++)
					for (int dx = 0; dx < s; dx++) {
						final int i = first + dy * w * s + dx;
						assertEquals(shift, out[i] - before[i], 1e-3, "pixel " + i);
					}
			}
	}

	@Test
	void anAlreadyConsistentOutputIsLeftAsItIs() {
		final int w = 7, h = 5, s = 4;
		final float[] in = random(w * h, 3, 10);
		// each block: the input value plus a zero-mean pattern that floats represent exactly
		final float[] out = new float[w * s * h * s];
		for (int y = 0; y < h * s; y++)
			for (int x = 0; x < w * s; x++)
				out[y * w * s + x] = in[(y / s) * w + x / s] + ((x + y) % 2 == 0 ? 0.25f : -0.25f);
		final float[] before = out.clone();
		ConsistencyProjection.project(out, in, w, h, s);
		assertArrayEquals(before, out);
	}

	@Test
	void nonFiniteBlocksAreLeftAlone() {
		final int w = 2, h = 1, s = 2;
		final float[] in = { Float.NaN, 5 };
		final float[] out = { 1, 2, 3, 4, 1, 2, 3, 4 }; // rows of 4: block 0 = {1,2,1,2}, block 1 = {3,4,3,4}
		ConsistencyProjection.project(out, in, w, h, s);
		assertArrayEquals(new float[] { 1, 2, 4.5f, 5.5f, 1, 2, 4.5f, 5.5f }, out);
	}

	/** A model that is not consistent: nearest upsampling, 10 % darker, plus a pattern inside each block. */
	private static final class DarkeningModel extends NearestModel {

		DarkeningModel() {
			super(4);
		}

		@Override
		public float[] predict(final float[] chw, final int channels, final int height, final int width, final int prompt)
			throws RestoreException
		{
			final float[] y = super.predict(chw, channels, height, width, prompt);
			for (int i = 0; i < y.length; i++)
				y[i] = 0.9f * y[i] + 0.05f * (float) Math.sin(i * 0.7);
			return y;
		}
	}

	private static RestoreResult restore(final ImagePlus in, final RestoreOptions.Builder b) throws RestoreException {
		final Restorer r = new Restorer(new ModelRegistry(List.of(), ConsistencyProjectionTest.class.getClassLoader()),
			(d, dev) -> (TileModel) new DarkeningModel()).log(null);
		return r.restore(in, b.model(TestImages.model("conv-x4").toString()).tile(24).build(), null);
	}

	@ParameterizedTest(name = "scale {0}")
	@ValueSource(ints = { 4, 3, 2 })
	void theCoreMakesA32BitOutputConsistentAtEveryScale(final int s) throws Exception {
		final int w = 37, h = 29;
		final FloatProcessor fp = new FloatProcessor(w, h);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				fp.setf(x, y, (float) (1000 * TestImages.pattern(x, y, 3)));
		final ImagePlus in = new ImagePlus("f", fp);
		final float[] inPixels = ((float[]) fp.getPixels()).clone();
		final RestoreResult off = restore(in, RestoreOptions.builder().scale(s));
		final RestoreResult on = restore(in, RestoreOptions.builder().scale(s).consistency(true));
		assertArrayEquals(inPixels, (float[]) in.getProcessor().getPixels(), "the input was changed");
		final double[] downOff = areaDown((float[]) off.image().getProcessor().getPixels(), w, h, s);
		final double[] downOn = areaDown((float[]) on.image().getProcessor().getPixels(), w, h, s);
		double worstOff = 0, worstOn = 0;
		for (int i = 0; i < w * h; i++) {
			worstOff = Math.max(worstOff, Math.abs(downOff[i] - inPixels[i]));
			worstOn = Math.max(worstOn, Math.abs(downOn[i] - inPixels[i]));
		}
		assertTrue(worstOff > 10, "the test model should not be consistent by itself: " + worstOff);
		assertTrue(worstOn < 1e-3, "with consistency, the block means differ from the input by up to " + worstOn);
		assertEquals("true", on.provenance().entries().get("consistency"));
		assertEquals("false", off.provenance().entries().get("consistency"));
		assertTrue(Double.parseDouble(on.provenance().entries().get("fidelity_rms")) < 1e-6);
	}

	@Test
	void eightBitOutputsAreConsistentUpToRounding() throws Exception {
		final int w = 24, h = 16;
		final ByteProcessor bp = new ByteProcessor(w, h);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				bp.set(x, y, 40 + (int) (170 * TestImages.pattern(x, y, 1)));
		final ImagePlus in = new ImagePlus("b", bp);
		final ImageProcessor out = restore(in, RestoreOptions.builder().consistency(true)).image().getProcessor();
		final float[] f = (float[]) out.convertToFloatProcessor().getPixels();
		final double[] down = areaDown(f, w, h, 4);
		for (int i = 0; i < w * h; i++)
			assertEquals(bp.get(i), down[i], 0.5 + 1e-9, "block " + i + " (rounding to 8 bits moves a mean by at most 0.5)");
	}
}
