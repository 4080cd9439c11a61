package io.github.sanasr.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sanasr.core.RestoreOptions.DeviceChoice;
import io.github.sanasr.core.TestImages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Descriptors, the registry, and SrModel's loading errors: every message names the file at fault. */
class ModelFolderTest {

	@TempDir
	Path tmp;

	private final Path conv = TestImages.model("conv-x4");

	/** A copy of the conv-x4 folder with its descriptor edited. */
	private Path copy(final String name, final Consumer<JsonObject> edit) throws IOException {
		final Path dir = Files.createDirectories(tmp.resolve(name));
		Files.copy(conv.resolve("conv-x4.pt"), dir.resolve("conv-x4.pt"));
		final JsonObject json = JsonParser.parseString(Files.readString(conv.resolve("model.json"))).getAsJsonObject();
		edit.accept(json);
		Files.writeString(dir.resolve("model.json"), json.toString(), StandardCharsets.UTF_8);
		return dir;
	}

	@Test
	void descriptorIsReadAndValidated() throws Exception {
		final ModelDescriptor d = ModelDescriptor.read(conv.resolve("model.json"));
		assertEquals("conv-x4", d.name());
		assertEquals(4, d.scale());
		assertEquals(3, d.inputChannels());
		assertEquals(8, d.stride());
		assertEquals(4, d.halo());
		assertEquals("generic", d.defaultPrompt());
		assertEquals(2, d.promptIndex("fluorescence"));
		assertEquals(0, d.promptIndex(null));
		assertEquals("area", d.degradationType());
		assertTrue(d.json().has("training"), "unknown keys are kept");
		final ModelException e = assertThrows(ModelException.class, () -> d.promptIndex("sky"));
		assertTrue(e.getMessage().contains("fluorescence"));
	}

	@Test
	void missingOrWrongKeysNameTheFileAndTheKey() throws Exception {
		final String[][] cases = { { "scale", "required key 'scale'" }, { "sha256", "required key 'sha256'" },
			{ "prompts", "required key 'prompts'" } };
		for (final String[] c : cases) {
			final Path dir = copy("no-" + c[0], j -> j.remove(c[0]));
			final ModelException e = assertThrows(ModelException.class, () -> ModelDescriptor.read(dir.resolve("model.json")));
			assertTrue(e.getMessage().contains(c[1]), e.getMessage());
			assertTrue(e.getMessage().contains(dir.resolve("model.json").toString()), e.getMessage());
		}
		final Path badFormat = copy("fmt", j -> j.addProperty("format", "other/2"));
		assertTrue(assertThrows(ModelException.class, () -> ModelDescriptor.read(badFormat.resolve("model.json")))
			.getMessage().contains("other/2"));
		final Path badScale = copy("neg", j -> j.addProperty("stride", -8));
		assertTrue(assertThrows(ModelException.class, () -> ModelDescriptor.read(badScale.resolve("model.json")))
			.getMessage().contains("'stride' must be positive"));
		final Path escape = copy("escape", j -> j.addProperty("file", "../x.pt"));
		assertThrows(ModelException.class, () -> ModelDescriptor.read(escape.resolve("model.json")));
		final Path notJson = Files.createDirectories(tmp.resolve("broken"));
		Files.writeString(notJson.resolve("model.json"), "{ \"format\": ");
		final ModelException e = assertThrows(ModelException.class, () -> ModelDescriptor.read(notJson.resolve("model.json")));
		assertTrue(e.getMessage().contains("not valid JSON") && e.getMessage().contains("broken"), e.getMessage());
	}

	/** The prompt list and modes of the realism model of issue 15. */
	private static void realismPrompts(final JsonObject j) {
		final com.google.gson.JsonArray prompts = new com.google.gson.JsonArray();
		final JsonObject modes = new JsonObject();
		for (final String p : List.of("generic", "photo", "fluorescence", "brightfield", "histology", "electron", "astro",
			"realistic", "faithful"))
		{
			prompts.add(p);
			modes.addProperty(p, p.equals("photo") || p.equals("realistic") ? "realism" : "fidelity");
		}
		j.add("prompts", prompts);
		j.add("prompt_modes", modes);
	}

	@Test
	void promptModesSayWhichPromptsInventTexture() throws Exception {
		final Path dir = copy("realism", j -> {
			realismPrompts(j);
			final JsonObject prior = new JsonObject();
			prior.addProperty("name", "Real-ESRGAN x4plus");
			prior.addProperty("weights_sha256", "ab12");
			prior.addProperty("licence", "BSD-3-Clause");
			j.add("prior", prior);
		});
		final ModelDescriptor d = ModelDescriptor.read(dir.resolve("model.json"));
		assertEquals("realism", d.promptMode("photo"));
		assertEquals("realism", d.promptMode(" Realistic "));
		assertTrue(d.isRealism("realistic"));
		assertEquals("fidelity", d.promptMode("faithful"));
		assertEquals("fidelity", d.promptMode(null), "the default prompt, generic, keeps fidelity");
		assertFalse(d.isRealism(""));
		assertEquals(List.of("generic", "photo", "fluorescence", "brightfield", "histology", "electron", "astro",
			"realistic", "faithful"), List.copyOf(d.promptModes().keySet()));
		assertThrows(ModelException.class, () -> d.promptMode("sky"));
		assertEquals("Real-ESRGAN x4plus, weights SHA-256 ab12, licence BSD-3-Clause", d.prior().orElseThrow().summary());
		assertNull(d.prior().orElseThrow().source());

		// without the key (every model before it) every prompt is fidelity, and there is no prior
		final ModelDescriptor old = ModelDescriptor.read(conv.resolve("model.json"));
		assertTrue(old.promptModes().values().stream().allMatch("fidelity"::equals), old.promptModes().toString());
		assertEquals(old.prompts(), List.copyOf(old.promptModes().keySet()));
		assertFalse(old.isRealism("photo"));
		assertTrue(old.prior().isEmpty());
		// a prompt left out is fidelity; a prior that is not an object is ignored (it is information only)
		final Path partial = copy("partial", j -> {
			final JsonObject modes = new JsonObject();
			modes.addProperty("photo", "realism");
			j.add("prompt_modes", modes);
			j.addProperty("prior", "Real-ESRGAN");
		});
		final ModelDescriptor p = ModelDescriptor.read(partial.resolve("model.json"));
		assertTrue(p.isRealism("photo"));
		assertEquals("fidelity", p.promptMode("astro"));
		assertTrue(p.prior().isEmpty());
	}

	@Test
	void badPromptModesNameTheFieldAndWhatToDo() throws Exception {
		final Path badMode = copy("bad-mode", j -> {
			final JsonObject modes = new JsonObject();
			modes.addProperty("photo", "dreamy");
			j.add("prompt_modes", modes);
		});
		final ModelException mode = assertThrows(ModelException.class, () -> ModelDescriptor.read(badMode.resolve(
			"model.json")));
		assertTrue(mode.getMessage().contains(badMode.resolve("model.json").toString()), mode.getMessage());
		assertTrue(mode.getMessage().endsWith("'prompt_modes' gives the prompt 'photo' the mode \"dreamy\": use " +
			"\"fidelity\" or \"realism\""), mode.getMessage());
		final Path unknown = copy("unknown-prompt", j -> {
			final JsonObject modes = new JsonObject();
			modes.addProperty("realistic", "realism");
			j.add("prompt_modes", modes);
		});
		final ModelException key = assertThrows(ModelException.class, () -> ModelDescriptor.read(unknown.resolve(
			"model.json")));
		assertTrue(key.getMessage().endsWith("'prompt_modes' names the prompt 'realistic', which is not in 'prompts' " +
			"[generic, photo, fluorescence, brightfield, histology, electron, astro]: add it to 'prompts' or remove it " +
			"from 'prompt_modes'"), key.getMessage());
		final Path notObject = copy("list", j -> j.add("prompt_modes", new com.google.gson.JsonArray()));
		final ModelException list = assertThrows(ModelException.class, () -> ModelDescriptor.read(notObject.resolve(
			"model.json")));
		assertTrue(list.getMessage().contains("'prompt_modes' must be an object"), list.getMessage());
		final Path number = copy("number", j -> {
			final JsonObject modes = new JsonObject();
			modes.addProperty("photo", 1);
			j.add("prompt_modes", modes);
		});
		assertTrue(assertThrows(ModelException.class, () -> ModelDescriptor.read(number.resolve("model.json")))
			.getMessage().contains("the mode 1: use"));
	}

	@Test
	void registryFindsModelsByNameByPathAndInTheJar() throws Exception {
		final ModelRegistry reg = new ModelRegistry(List.of(conv.getParent()), getClass().getClassLoader());
		assertEquals("conv-x4", reg.resolve("conv-x4").name());
		assertTrue(reg.available().contains("attention-x4"));
		assertEquals("conv-x4", reg.resolve(conv.toString()).name());
		assertEquals("conv-x4", reg.resolve(conv.resolve("model.json").toString()).name());
		final ModelException e = assertThrows(ModelException.class, () -> reg.resolve("no-such-model"));
		assertTrue(e.getMessage().contains("conv-x4"), "lists the known models: " + e.getMessage());
		assertThrows(ModelException.class, () -> reg.resolve("/no/such/dir"));
		assertThrows(ModelException.class, () -> reg.resolve("bad\u0000name"));

		// bundled: the test class path holds /models/conv-x4/ like a plugin jar would
		final String old = System.getProperty(ModelRegistry.CACHE_DIR_PROPERTY);
		System.setProperty(ModelRegistry.CACHE_DIR_PROPERTY, tmp.resolve("cache").toString());
		try {
			final ModelRegistry jarOnly = new ModelRegistry(List.of(), getClass().getClassLoader());
			final ModelDescriptor d = jarOnly.resolve("conv-x4");
			assertTrue(d.folder().startsWith(tmp.resolve("cache")), d.folder().toString());
			assertTrue(Files.isRegularFile(d.modelFile()));
			assertEquals(d.sha256(), SrModel.sha256(d.modelFile()));
			assertEquals(d.folder(), jarOnly.resolve("conv-x4").folder(), "extracted once, reused");
		}
		finally {
			if (old == null) System.clearProperty(ModelRegistry.CACHE_DIR_PROPERTY);
			else System.setProperty(ModelRegistry.CACHE_DIR_PROPERTY, old);
		}
	}

	@Test
	void modelsDirPropertyIsARoot() throws Exception {
		final String old = System.getProperty(ModelRegistry.MODELS_DIR_PROPERTY);
		System.setProperty(ModelRegistry.MODELS_DIR_PROPERTY, conv.getParent().toString());
		try {
			assertEquals(conv.getParent(), new ModelRegistry().roots().get(0));
			assertEquals("attention-x4", new ModelRegistry().resolve("attention-x4").name());
		}
		finally {
			if (old == null) System.clearProperty(ModelRegistry.MODELS_DIR_PROPERTY);
			else System.setProperty(ModelRegistry.MODELS_DIR_PROPERTY, old);
		}
	}

	@Test
	void loadedModelsAreCachedPerFileAndDevice() throws Exception {
		final ModelDescriptor d = ModelDescriptor.read(conv.resolve("model.json"));
		try (TileModel a = SrModel.open(d, DeviceChoice.CPU)) {
			final int cached = SrModel.cachedModels();
			try (TileModel b = SrModel.open(d, DeviceChoice.AUTO)) {
				assertEquals(cached, SrModel.cachedModels(), "no GPU here: auto is the cached cpu model");
				assertEquals("cpu", b.device());
				final float[] y = b.predict(new float[3 * 8 * 16], 3, 8, 16, 0);
				assertEquals(3 * 32 * 64, y.length);
			}
		}
	}

	@Test
	void checksumMismatchNamesBothFiles() throws Exception {
		final Path dir = copy("tampered", j -> {});
		final byte[] pt = Files.readAllBytes(dir.resolve("conv-x4.pt"));
		pt[pt.length / 2] ^= 1;
		Files.write(dir.resolve("conv-x4.pt"), pt);
		final ModelDescriptor d = ModelDescriptor.read(dir.resolve("model.json"));
		final ModelException e = assertThrows(ModelException.class, () -> SrModel.open(d, DeviceChoice.CPU));
		assertTrue(e.getMessage().contains("Checksum mismatch"), e.getMessage());
		assertTrue(e.getMessage().contains(dir.resolve("conv-x4.pt").toString()), e.getMessage());
	}

	@Test
	void missingAndCorruptModelFilesAreClearErrors() throws Exception {
		final Path missing = copy("missing", j -> {});
		Files.delete(missing.resolve("conv-x4.pt"));
		final ModelException e1 = assertThrows(ModelException.class, () -> SrModel.open(ModelDescriptor.read(missing
			.resolve("model.json")), DeviceChoice.CPU));
		assertTrue(e1.getMessage().contains("missing") && e1.getMessage().contains("conv-x4.pt"), e1.getMessage());

		final Path corrupt = Files.createDirectories(tmp.resolve("corrupt"));
		final byte[] junk = "this is not TorchScript".getBytes(StandardCharsets.UTF_8);
		Files.write(corrupt.resolve("junk.pt"), junk);
		final Path tmpSha = corrupt.resolve("junk.pt");
		final String sha = SrModel.sha256(tmpSha);
		final JsonObject json = JsonParser.parseString(Files.readString(conv.resolve("model.json"))).getAsJsonObject();
		json.addProperty("file", "junk.pt");
		json.addProperty("sha256", sha);
		Files.writeString(corrupt.resolve("model.json"), json.toString());
		final ModelException e2 = assertThrows(ModelException.class, () -> SrModel.open(ModelDescriptor.read(corrupt
			.resolve("model.json")), DeviceChoice.CPU));
		assertTrue(e2.getMessage().contains("Cannot load") && e2.getMessage().contains("junk.pt"), e2.getMessage());
	}

	@Test
	void descriptorThatDisagreesWithTheTensorsIsAClearError() throws Exception {
		final Path dir = copy("wrong-scale", j -> j.addProperty("scale", 2));
		try (TileModel m = SrModel.open(ModelDescriptor.read(dir.resolve("model.json")), DeviceChoice.CPU)) {
			final ModelException e = assertThrows(ModelException.class, () -> m.predict(new float[3 * 8 * 8], 3, 8, 8, 0));
			assertTrue(e.getMessage().contains("returned") && e.getMessage().contains(dir.resolve("model.json").toString()),
				e.getMessage());
		}
	}

	@Test
	void gpuWithoutAGpuSaysWhatToInstall() throws Exception {
		if (DeviceChooser.gpuCount() > 0) return; // a machine with a GPU has nothing to check here
		final ModelException e = assertThrows(ModelException.class, () -> DeviceChooser.choose(DeviceChoice.GPU));
		assertTrue(e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
	}
}
