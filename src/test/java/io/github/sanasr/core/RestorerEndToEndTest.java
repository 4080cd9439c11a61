package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.measure.Calibration;
import ij.process.ImageStatistics;

import org.junit.jupiter.api.Test;

/** The real path: model folder, DJL TorchScript, tiles, output image, on 8-bit and RGB images. */
class RestorerEndToEndTest {

	private final String conv = TestImages.model("conv-x4").toString();

	@Test
	void eightBitImageBecomesFourTimesLarger() throws Exception {
		final ImagePlus in = TestImages.image("cells.tif", 8, 37, 29, 1, 1, 1);
		final Calibration cal = in.getCalibration();
		cal.pixelWidth = 0.4;
		cal.pixelHeight = 0.5;
		cal.setUnit("um");
		final String before = TestImages.checksum(in);
		try (Restorer r = new Restorer()) {
			final RestoreResult res = r.restore(in, RestoreOptions.builder().model(conv).tile(24).build(), null);
			final ImagePlus out = res.image();
			assertEquals("cells-SANA-SR-x4", out.getTitle());
			assertEquals(148, out.getWidth());
			assertEquals(116, out.getHeight());
			assertEquals(8, out.getBitDepth());
			assertEquals(0.1, out.getCalibration().pixelWidth, 1e-12);
			assertEquals(0.125, out.getCalibration().pixelHeight, 1e-12);
			assertEquals(in.getCalibration().getUnit(), out.getCalibration().getUnit());
			assertEquals("cpu", res.provenance().entries().get("device"));
			// the model is close to a nearest-neighbour upsampling: the mean intensity is kept
			final ImageStatistics a = in.getStatistics(), b = out.getStatistics();
			assertEquals(a.mean, b.mean, 6);
			assertTrue(b.stdDev > 10, "output has structure");
		}
		assertEquals(before, TestImages.checksum(in));
	}

	@Test
	void rgbImageStaysRgbAndKeepsItsColours() throws Exception {
		final ImagePlus in = TestImages.image("photo.png", 24, 30, 22, 1, 1, 1);
		final String before = TestImages.checksum(in);
		final RestoreResult res = new Restorer().restore(in, RestoreOptions.builder().model(conv).build(),
			ProgressListener.NONE);
		final ImagePlus out = res.image();
		assertEquals(ImagePlus.COLOR_RGB, out.getType());
		assertEquals(120, out.getWidth());
		assertEquals(88, out.getHeight());
		// colour of a block's centre follows the input pixel (within the model's small changes)
		final int[] pin = in.getProcessor().getPixel(10, 10, null), pout = out.getProcessor().getPixel(41, 41, null);
		for (int k = 0; k < 3; k++)
			assertEquals(pin[k], pout[k], 40, "component " + k);
		assertEquals(before, TestImages.checksum(in));
		assertTrue(res.provenance().entries().get("normalisation_values").startsWith("RGB: "));
	}

	@Test
	void promptReachesTheModel() throws Exception {
		final ImagePlus in = TestImages.image("p", 32, 16, 16, 1, 1, 1);
		final Restorer r = new Restorer();
		final ImagePlus a = r.restore(in, RestoreOptions.builder().model(conv).prompt("generic").build(), null).image();
		final ImagePlus b = r.restore(in, RestoreOptions.builder().model(conv).prompt("astro").build(), null).image();
		assertNotEquals(a.getStatistics().mean, b.getStatistics().mean, 1e-3);
	}
}
