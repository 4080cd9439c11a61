package io.github.sanasr.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
