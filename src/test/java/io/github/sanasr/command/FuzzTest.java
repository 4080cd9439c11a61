package io.github.sanasr.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import io.github.sanasr.core.TestImages;

import java.time.Duration;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandService;

/**
 * Random shapes, types and parameter strings through the command with the real TorchScript test model. The
 * oracle knows which parameters are valid: a valid set must give a correct result, an invalid one a clear
 * message (not an internal error); never a hang, never a modified input.
 */
class FuzzTest {

	private static final int CASES = 40;
	private static Context context;

	@BeforeAll
	static void start() {
		context = new Context(CommandService.class);
		SuperResolveCommandTest.useContext(context);
	}

	@AfterAll
	static void stop() {
		context.dispose();
	}

	private static final String[] TILES = { "auto", "0", "8", "16", "33", "AUTO", " 24 ", "7", "-3", "abc", "1e3", "" };
	private static final String[] DEVICES = { "auto", "cpu", "CPU", " auto ", "", "tpu", "gpu0" };
	private static final String[] PROMPTS = { "default", "photo", "FLUORESCENCE", " electron", "", "sky", "photo,astro" };

	@Test
	void randomInputsGiveAResultOrAClearError() {
		final Random rnd = new Random(20240611);
		final String model = TestImages.model("conv-x4").toString();
		int valid = 0;
		for (int i = 0; i < CASES; i++) {
			final int[] depths = { 8, 16, 32, 24 };
			final int depth = depths[rnd.nextInt(4)];
			final int w = 1 + rnd.nextInt(rnd.nextBoolean() ? 6 : 40), h = 1 + rnd.nextInt(rnd.nextBoolean() ? 6 : 40);
			final int c = depth == 24 ? 1 : 1 + rnd.nextInt(2), z = 1 + rnd.nextInt(2), t = rnd.nextInt(4) == 0 ? 2 : 1;
			final ImagePlus in = TestImages.image("fuzz" + i, depth, w, h, c, z, t);
			final int scale = 1 + rnd.nextInt(5);
			final String tile = TILES[rnd.nextInt(TILES.length)];
			final String device = DEVICES[rnd.nextInt(DEVICES.length)];
			final String prompt = PROMPTS[rnd.nextInt(PROMPTS.length)];
			final double low = rnd.nextInt(6) == 0 ? 50 : rnd.nextDouble() * 2, high = rnd.nextInt(8) == 0 ? 120 : 98 + 2 * rnd.nextDouble();
			final boolean goodModel = rnd.nextInt(8) != 0;
			final boolean float32 = rnd.nextBoolean();
			final boolean expectValid = goodModel && scale >= 2 && scale <= 4 && validTile(tile) && validDevice(device) &&
				validPrompt(prompt) && low < high && high <= 100;
			final String before = TestImages.checksum(in);
			final String what = String.format(Locale.ROOT, "case %d: %d-bit %dx%d c%d z%d t%d scale=%d tile='%s' device='%s' " +
				"prompt='%s' low=%.2f high=%.2f model=%s", i, depth, w, h, c, z, t, scale, tile, device, prompt, low, high, goodModel);
			final SuperResolveCommand m = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> SuperResolveCommandTest.run(in,
				"model", goodModel ? model : model + "-missing", "scale", scale, "tile", tile, "device", device, "prompt", prompt,
				"low_percentile", low, "high_percentile", high, "float32", float32, "fidelity_map", rnd.nextBoolean()), what);
			assertEquals(before, TestImages.checksum(in), "input modified: " + what);
			if (expectValid) {
				valid++;
				assertFalse(m.isCanceled(), what + " -> " + m.getCancelReason());
				final ImagePlus out = (ImagePlus) m.getOutput("result");
				assertEquals(w * scale, out.getWidth(), what);
				assertEquals(h * scale, out.getHeight(), what);
				assertEquals(z, out.getNSlices(), what);
				assertEquals(t, out.getNFrames(), what);
				assertEquals(float32 ? 32 : depth, out.getBitDepth(), what);
				assertEquals(c * (float32 && depth == 24 ? 3 : 1), out.getNChannels(), what);
			}
			else {
				assertTrue(m.isCanceled(), "should have been refused: " + what);
				final String reason = m.getCancelReason();
				assertTrue(reason != null && reason.length() > 15, what + " -> " + reason);
				assertFalse(reason.startsWith("Internal error"), what + " -> " + reason);
				assertEquals(null, m.getOutput("result"));
			}
		}
		assertTrue(valid >= 8 && valid <= CASES - 8, "the generator mixes valid and invalid cases: " + valid);
	}

	private static boolean validTile(final String s) {
		final String t = s.trim();
		if (t.isEmpty() || t.equalsIgnoreCase("auto")) return true;
		try {
			final int v = Integer.parseInt(t);
			return v == 0 || v >= 8;
		}
		catch (final NumberFormatException e) {
			return false;
		}
	}

	private static boolean validDevice(final String s) {
		final String d = s.trim().toLowerCase(Locale.ROOT);
		return d.isEmpty() || d.equals("auto") || d.equals("cpu"); // no GPU on the test machines
	}

	private static boolean validPrompt(final String s) {
		final String p = s.trim().toLowerCase(Locale.ROOT);
		return p.isEmpty() || p.equals("default") || p.equals("photo") || p.equals("fluorescence") || p.equals("electron");
	}
}
