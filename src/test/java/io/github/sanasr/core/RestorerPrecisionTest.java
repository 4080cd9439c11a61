package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.ImagePlus;
import io.github.sanasr.core.RestoreOptions.DeviceChoice;
import io.github.sanasr.model.CpuFeatures;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelException;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.TileModel;
import io.github.sanasr.model.TileModelFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core opens the model file the precision option chooses, and keeps float32 where the model runs on a GPU. */
class RestorerPrecisionTest {

	@TempDir
	Path root;

	private void model(final String name, final String precision, final String key, final Object value)
		throws Exception
	{
		final JsonObject j = JsonParser.parseString(Files.readString(TestImages.model("conv-x4").resolve("model.json")))
			.getAsJsonObject();
		j.addProperty("name", name);
		j.addProperty("precision", precision);
		if (value instanceof String s) j.addProperty(key, s);
		else if (value instanceof JsonObject o) j.add(key, o);
		Files.writeString(Files.createDirectories(root.resolve(name)).resolve("model.json"), j.toString());
	}

	/** A factory that records which descriptor it opened, on a GPU or not. */
	private static final class Recording implements TileModelFactory {
		final boolean gpu;
		final List<String> opened = new ArrayList<>();

		Recording(final boolean gpu) {
			this.gpu = gpu;
		}

		@Override
		public TileModel open(final ModelDescriptor d, final DeviceChoice device) {
			opened.add(d.name());
			return new NearestModel(4) {
				@Override
				public String device() {
					return gpu ? "gpu(0)" : "cpu";
				}
			};
		}

		@Override
		public boolean onGpu(final DeviceChoice device) throws ModelException {
			return gpu;
		}
	}

	private Map<String, String> run(final Recording f, final CpuFeatures cpu, final String precision)
		throws Exception
	{
		final JsonObject v = new JsonObject();
		v.addProperty("bfloat16", "m-bf16");
		model("m", "float32", "variants", v);
		model("m-bf16", "bfloat16", "variant_of", "m");
		final Restorer r = new Restorer(new ModelRegistry(List.of(root), getClass().getClassLoader()), f)
			.cpuFeatures(cpu).log(null);
		return r.restore(new ImagePlus("g", TestImages.plane(8, 24, 16, 1)), RestoreOptions.builder().model("m")
			.precision(precision).build(), null).provenance().entries();
	}

	@Test
	void autoOpensTheVariantOnAFastCpuOnly() throws Exception {
		final Recording fast = new Recording(false), slow = new Recording(false);
		final Map<String, String> p = run(fast, CpuFeatures.fixed(true), "auto");
		assertEquals(List.of("m-bf16"), fast.opened);
		assertEquals("bfloat16", p.get("precision"));
		assertEquals("m", p.get("model_requested"));
		final Map<String, String> q = run(slow, CpuFeatures.fixed(false), "auto");
		assertEquals(List.of("m"), slow.opened);
		assertEquals("float32", q.get("precision"));
		assertFalse(q.containsKey("model_requested"));
	}

	@Test
	void onAGpuAutoKeepsFloat32AndBfloat16IsHonoured() throws Exception {
		final Recording gpu = new Recording(true);
		assertEquals("auto: float32 on a GPU", run(gpu, CpuFeatures.fixed(true), "auto").get("precision_choice"));
		assertEquals("bfloat16", run(gpu, CpuFeatures.fixed(true), "bfloat16").get("precision"));
		assertEquals(List.of("m", "m-bf16"), gpu.opened);
	}
}
