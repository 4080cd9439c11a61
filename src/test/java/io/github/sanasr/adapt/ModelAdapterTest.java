package io.github.sanasr.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapts the tiny test model (src/test/resources/models/sana-sr-tiny-trunk-x4, with its adaptable form) for a
 * few steps through the real DJL path, and checks what issue 16 asks: frozen weights untouched, a model folder
 * that loads in DJL (and in Python's torch where there is one), the provenance, a held-out score above the
 * base's; clear errors; a cancel leaves no folder.
 */
class ModelAdapterTest {

	static final Path TINY = Paths.get("src/test/resources/models/sana-sr-tiny-trunk-x4").toAbsolutePath();

	@TempDir
	static Path shared;

	static AdaptResult result;
	static Path models;

	/** A 16-bit grey image of blobs and edges with Poisson-like noise: something a microscope could show. */
	static ImagePlus specimen(final int w, final int h, final long seed) {
		final Random r = new Random(seed);
		final float[] px = new float[w * h];
		final int blobs = w * h / 1500;
		final double[][] b = new double[blobs][];
		for (int i = 0; i < blobs; i++)
			b[i] = new double[] { r.nextDouble() * w, r.nextDouble() * h, 3 + 9 * r.nextDouble(), 500 + 3000 * r.nextDouble() };
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double v = 300 + 200 * Math.sin(x / 23.0) * Math.cos(y / 31.0);
				for (final double[] bl : b) {
					final double dx = x - bl[0], dy = y - bl[1];
					if (Math.abs(dx) > 4 * bl[2] || Math.abs(dy) > 4 * bl[2]) continue;
					v += bl[3] * Math.exp(-(dx * dx + dy * dy) / (2 * bl[2] * bl[2]));
				}
				if (((x / 40) + (y / 56)) % 3 == 0) v += 400;
				px[y * w + x] = (float) Math.max(0, v + Math.sqrt(v) * r.nextGaussian());
			}
		final ShortProcessor sp = (ShortProcessor) new FloatProcessor(w, h, px).convertToShortProcessor(false);
		return new ImagePlus("specimen-" + seed + ".tif", sp);
	}

	static AdaptOptions options(final String name, final Path dir) {
		return AdaptOptions.of(name).withBase(TINY.toString()).withMinutes(5).withModelsDir(dir, false)
			.withTraining(5e-3, 4, 40, 10, 0, 1);
	}

	@BeforeAll
	static void adaptOnce() throws Exception {
		models = shared.resolve("models");
		result = new ModelAdapter().adapt(List.of(new AdaptImage("a.tif", specimen(384, 384, 1), null),
			new AdaptImage("b.tif", specimen(256, 384, 2), null)), options("tiny-adapted", models), null);
	}

	@Test
	void heldOutScoreBeatsTheBaseAndAModelIsWritten() {
		assertTrue(result.written(), result.message());
		assertTrue(result.mergedPsnr() > result.basePsnr() + ModelAdapter.MIN_GAIN_DB, result.toString());
		assertEquals(40, result.steps());
		// merging changes only float rounding
		assertEquals(result.adaptedPsnr(), result.mergedPsnr(), 0.01);
		assertTrue(Files.isRegularFile(models.resolve("tiny-adapted/tiny-adapted.pt")));
		try (Stream<Path> s = Files.list(models)) {
			assertEquals(List.of("tiny-adapted"), s.map(p -> p.getFileName().toString()).toList());
		}
		catch (final IOException e) {
			throw new AssertionError(e);
		}
	}

	@Test
	void descriptorRecordsTheProvenance() throws Exception {
		final ModelDescriptor d = ModelDescriptor.read(models.resolve("tiny-adapted/model.json"));
		final ModelDescriptor base = ModelDescriptor.read(TINY.resolve("model.json"));
		assertEquals("tiny-adapted", d.name());
		assertEquals(base.scale(), d.scale());
		final JsonObject a = d.json().getAsJsonObject("adaptation");
		final JsonObject b = a.getAsJsonObject("base");
		assertEquals(base.name(), b.get("name").getAsString());
		assertEquals(base.version(), b.get("version").getAsString());
		assertEquals(base.sha256(), b.get("sha256").getAsString());
		assertEquals(2, a.getAsJsonArray("images").size());
		final JsonObject img = a.getAsJsonArray("images").get(0).getAsJsonObject();
		assertEquals("a.tif", img.get("name").getAsString());
		assertTrue(img.get("sha256").getAsString().matches("[0-9a-f]{64}"));
		assertEquals("c1 z1 t1", img.get("planes").getAsString());
		assertEquals("binning", a.get("degradation").getAsString());
		assertEquals("none", a.get("noise").getAsString());
		for (final String k : new String[] { "minutes", "steps", "rank", "learning_rate" })
			assertTrue(a.has(k), k);
		assertEquals(40, a.get("steps").getAsInt());
		final JsonObject p = a.getAsJsonObject("held_out_psnr");
		assertTrue(p.get("merged").getAsDouble() > p.get("base").getAsDouble());
		assertFalse(d.json().has("adaptable"), "an adapted model has no adaptable form of its own");
		assertEquals(d.sha256(), AdaptableForm.sha256(d.modelFile()));
	}

	@Test
	void registryFindsTheModelByNameInTheUserFolder() throws Exception {
		final ModelRegistry r = new ModelRegistry(List.of(models), getClass().getClassLoader());
		assertEquals("tiny-adapted", r.resolve("tiny-adapted").name());
		assertTrue(r.available().contains("tiny-adapted"));
	}

	@Test
	void writtenModelLoadsInDjlAndKeepsEveryUntargetedWeight() throws Exception {
		final AdaptableForm form = AdaptableForm.of(ModelDescriptor.read(TINY.resolve("model.json")));
		final Map<String, float[]> base = params(TINY.resolve("sana-sr-tiny-trunk-x4.pt"));
		final Map<String, float[]> adapted = params(models.resolve("tiny-adapted/tiny-adapted.pt"));
		assertEquals(base.keySet(), adapted.keySet());
		int changed = 0;
		for (final String k : base.keySet()) {
			final String module = k.substring(0, k.lastIndexOf('.'));
			if (form.targets().contains(module) && k.endsWith(".weight")) {
				if (!java.util.Arrays.equals(base.get(k), adapted.get(k))) changed++;
			}
			else assertArrayEquals(base.get(k), adapted.get(k), k);
		}
		assertTrue(changed > 0, "no target weight changed");
	}

	@Test
	void trainingLeavesEveryFrozenWeightBitIdentical() throws Exception {
		final AdaptableForm form = AdaptableForm.of(ModelDescriptor.read(TINY.resolve("model.json")));
		try (LoraTrainer t = new LoraTrainer(form.file(), 1e-2)) {
			final Map<String, float[]> before = t.adapterValues();
			final Random r = new Random(3);
			final float[] x = new float[2 * 3 * 16 * 16], y = new float[2 * 3 * 64 * 64];
			for (int i = 0; i < x.length; i++)
				x[i] = r.nextFloat();
			for (int i = 0; i < y.length; i++)
				y[i] = r.nextFloat();
			for (int s = 0; s < 5; s++)
				t.step(x, y, 2, 3, 16, 4, 0);
			assertTrue(t.frozenParameterCount() > 10);
			assertEquals(List.of(), t.changedFrozenParameters());
			final Map<String, float[]> after = t.adapterValues();
			assertTrue(after.keySet().stream().anyMatch(k -> !java.util.Arrays.equals(before.get(k), after.get(k))),
				"the adapters did not train");
		}
	}

	@Test
	void writtenModelLoadsInPythonWithTheSameOutput() throws Exception {
		final Path python = Paths.get("/usr/bin/python3");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(python) && new ProcessBuilder(python.toString(),
			"-c", "import torch").start().waitFor() == 0, "no Python with torch here");
		final Path pt = models.resolve("tiny-adapted/tiny-adapted.pt");
		final float[] x = new float[3 * 16 * 24];
		for (int i = 0; i < x.length; i++)
			x[i] = (float) ((i * 37 % 101) / 100.0);
		final float[] djl;
		try (ZooModel<NDList, NDList> m = LoraTrainer.load(pt, false, Device.cpu())) {
			djl = forwardRect(m, x, 16, 24);
		}
		final Process p = new ProcessBuilder(python.toString(), "-c", String.join("\n",
			"import sys, torch",
			"m = torch.jit.load(sys.argv[1]).eval()",
			"x = torch.tensor([(i * 37 % 101) / 100.0 for i in range(3 * 16 * 24)], dtype=torch.float32).reshape(1, 3, 16, 24)",
			"with torch.no_grad():",
			"    y = m(x, torch.zeros(1)).flatten()",
			"print(' '.join('%.7g' % v for v in y[::97].tolist()))"), pt.toString()).redirectErrorStream(true).start();
		final String out = new String(p.getInputStream().readAllBytes()).trim();
		assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, out);
		final String[] vals = out.substring(out.lastIndexOf('\n') + 1).split(" ");
		for (int i = 0; i < vals.length; i++)
			assertEquals(djl[i * 97], Float.parseFloat(vals[i]), 1e-4, "value " + i * 97);
	}

	private static float[] forwardRect(final ZooModel<NDList, NDList> m, final float[] x, final int h, final int w) {
		try (ai.djl.ndarray.NDManager sub = m.getNDManager().newSubManager()) {
			final NDList in = new NDList(sub.create(x, new ai.djl.ndarray.types.Shape(1, 3, h, w)), sub.create(new float[] { 0 }));
			return m.getBlock().forward(new ai.djl.training.ParameterStore(sub, false), in, false).singletonOrThrow()
				.toFloatArray();
		}
	}

	private static Map<String, float[]> params(final Path pt) throws Exception {
		final Map<String, float[]> m = new HashMap<>();
		try (ZooModel<NDList, NDList> z = LoraTrainer.load(pt, false, Device.cpu())) {
			for (final Pair<String, ai.djl.nn.Parameter> p : z.getBlock().getParameters())
				m.put(p.getKey(), p.getValue().getArray().toFloatArray());
		}
		return m;
	}

	@Test
	void clearErrors() {
		final Path dir = shared.resolve("errors");
		AdaptException e = assertThrows(AdaptException.class, () -> new ModelAdapter().adapt(List.of(), options("x", dir),
			null));
		assertTrue(e.getMessage().startsWith("No images given"), e.getMessage());
		e = assertThrows(AdaptException.class, () -> new ModelAdapter().adapt(List.of(new AdaptImage("small.tif",
			specimen(200, 150, 4), null)), options("x", dir), null));
		assertTrue(e.getMessage().contains("too small") && e.getMessage().contains("two patches"), e.getMessage());
		e = assertThrows(AdaptException.class, () -> new ModelAdapter().adapt(List.of(new AdaptImage("a.tif",
			specimen(384, 384, 1), null)), options("tiny-adapted", models), null));
		assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("overwrite"), e.getMessage());
		assertFalse(Files.exists(dir.resolve("x")));
	}

	@Test
	void cancelLeavesNoModelFolder() throws Exception {
		final Path dir = shared.resolve("cancelled");
		final int[] calls = { 0 };
		final ProgressListener cancelAfterTraining = new ProgressListener() {
			@Override
			public void progress(final long done, final long total, final String message) {
				calls[0]++;
			}

			@Override
			public boolean isCancelled() {
				return calls[0] > 25;
			}
		};
		final List<AdaptImage> imgs = List.of(new AdaptImage("a.tif", specimen(384, 384, 1), null));
		assertThrows(RestoreCancelledException.class, () -> new ModelAdapter().adapt(imgs, options("gone", dir)
			.withTraining(5e-3, 4, 0, 5, 0, 1), cancelAfterTraining));
		final List<String> left = new ArrayList<>();
		if (Files.isDirectory(dir)) try (Stream<Path> s = Files.list(dir)) {
			s.forEach(p -> left.add(p.getFileName().toString()));
		}
		assertEquals(List.of(), left, "a cancelled adaptation left files behind");
	}

	@Test
	void greyStackUsesEveryPlaneAndRgbIsOnePlane() throws Exception {
		final ImageStack st = new ImageStack(256, 256);
		for (int i = 0; i < 3; i++)
			st.addSlice(specimen(256, 256, 10 + i).getProcessor());
		final ImagePlus stack = new ImagePlus("stack", st);
		stack.setDimensions(1, 3, 1);
		final ImagePlus rgb = new ImagePlus("rgb", specimen(256, 256, 20).getProcessor().convertToRGB());
		final TrainingPairs pairs = TrainingPairs.build(List.of(new AdaptImage(null, stack, null), new AdaptImage(null, rgb,
			null)), 4, 3, 16, Degradation.BINNING, true, 0.1, 99.9, 1000, 1, ProgressListener.NONE);
		assertEquals(16 * 4, pairs.train.size() + pairs.heldOut.size());
		assertEquals(Math.round(0.15 * 64), pairs.heldOut.size());
		assertEquals("all 3 planes", pairs.images.get(0).planesUsed());
		assertEquals("c1 z1 t1", pairs.images.get(1).planesUsed());
		assertNotNull(pairs.images.get(0).noise());
		assertTrue(pairs.images.get(0).noise().gain() > 0, "the shot noise of the specimen was not found");
	}
}
