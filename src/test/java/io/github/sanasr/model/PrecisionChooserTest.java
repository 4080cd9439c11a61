package io.github.sanasr.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sanasr.core.RestoreOptions.PrecisionChoice;
import io.github.sanasr.core.TestImages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which model file runs for each precision option, on a CPU with and without fast bfloat16 (the CPU feature
 * source injected), on model folders whose descriptors name each other as variants.
 */
class PrecisionChooserTest {

	private static final CpuFeatures FAST = CpuFeatures.fixed(true), SLOW = CpuFeatures.fixed(false);

	@TempDir
	Path root;
	private ModelRegistry registry;

	/** A copy of the test model's descriptor under root/name, edited. */
	private Path model(final String name, final Consumer<JsonObject> edit) throws IOException {
		final JsonObject j = JsonParser.parseString(Files.readString(TestImages.model("conv-x4").resolve("model.json")))
			.getAsJsonObject();
		j.addProperty("name", name);
		edit.accept(j);
		final Path dir = Files.createDirectories(root.resolve(name));
		Files.writeString(dir.resolve("model.json"), j.toString());
		return dir;
	}

	private static void variants(final JsonObject j, final String bf16) {
		final JsonObject v = new JsonObject();
		v.addProperty("bfloat16", bf16);
		j.add("variants", v);
	}

	@BeforeEach
	void models() throws IOException {
		model("m", j -> variants(j, "m-bf16"));
		model("m-bf16", j -> {
			j.addProperty("precision", "bfloat16");
			j.addProperty("variant_of", "m");
		});
		model("plain", j -> {});
		registry = new ModelRegistry(List.of(root), getClass().getClassLoader());
	}

	private PrecisionChooser.Choice choose(final CpuFeatures cpu, final String model, final PrecisionChoice c,
		final boolean gpu) throws ModelException
	{
		return new PrecisionChooser(registry, cpu).choose(registry.resolve(model), c, gpu);
	}

	@Test
	void autoRunsTheBfloat16VariantOnlyWhereTheCpuComputesBfloat16() throws Exception {
		final PrecisionChooser.Choice fast = choose(FAST, "m", PrecisionChoice.AUTO, false);
		assertEquals("m-bf16", fast.model().name());
		assertEquals("bfloat16", fast.model().precision());
		assertTrue(fast.isVariant());
		assertEquals("m", fast.named().name());
		final PrecisionChooser.Choice slow = choose(SLOW, "m", PrecisionChoice.AUTO, false);
		assertEquals("m", slow.model().name());
		assertFalse(slow.isVariant());
		assertEquals("auto: the CPU has no AVX-512 BF16 or AMX", slow.reason());
	}

	@Test
	void autoKeepsFloat32OnAGpuAndForModelsWithoutAVariant() throws Exception {
		assertEquals("m", choose(FAST, "m", PrecisionChoice.AUTO, true).model().name());
		assertEquals("plain", choose(FAST, "plain", PrecisionChoice.AUTO, false).model().name());
	}

	@Test
	void float32InsistsOnFloat32EvenWhenTheBfloat16ModelIsNamed() throws Exception {
		assertEquals("m", choose(FAST, "m", PrecisionChoice.FLOAT32, false).model().name());
		final PrecisionChooser.Choice back = choose(FAST, "m-bf16", PrecisionChoice.FLOAT32, false);
		assertEquals("m", back.model().name());
		assertEquals("float32", back.model().precision());
	}

	@Test
	void aBfloat16ModelNamedDirectlyRunsAsItIs() throws Exception {
		for (final CpuFeatures cpu : List.of(FAST, SLOW)) {
			assertEquals("m-bf16", choose(cpu, "m-bf16", PrecisionChoice.AUTO, false).model().name());
			assertEquals("m-bf16", choose(cpu, "m-bf16", PrecisionChoice.BFLOAT16, false).model().name());
		}
	}

	@Test
	void bfloat16IsHonouredOnAnyCpuAndIsAClearErrorWithoutAVariant() throws Exception {
		assertEquals("m-bf16", choose(SLOW, "m", PrecisionChoice.BFLOAT16, false).model().name());
		final ModelException e = assertThrows(ModelException.class, () -> choose(FAST, "plain",
			PrecisionChoice.BFLOAT16, false));
		assertTrue(e.getMessage().startsWith("precision=bfloat16 was asked for, but plain has no bfloat16 variant"),
			e.getMessage());
		assertTrue(e.getMessage().endsWith("choose precision=auto or float32"), e.getMessage());
	}

	@Test
	void aMissingVariantFallsBackToFloat32UnderAutoAndFailsWhenAskedFor() throws Exception {
		model("lonely", j -> variants(j, "nowhere"));
		final PrecisionChooser.Choice c = choose(FAST, "lonely", PrecisionChoice.AUTO, false);
		assertEquals("lonely", c.model().name());
		assertEquals("auto: the bfloat16 variant nowhere is not installed", c.reason());
		final ModelException e = assertThrows(ModelException.class, () -> choose(FAST, "lonely",
			PrecisionChoice.BFLOAT16, false));
		assertTrue(e.getMessage().startsWith("The bfloat16 variant nowhere of lonely is not installed"), e.getMessage());
	}

	@Test
	void aVariantGivenByPathIsFoundBesideIt() throws Exception {
		// a registry that knows no roots: the variant must come from the named model's own parent folder
		final ModelRegistry none = new ModelRegistry(List.of(), getClass().getClassLoader());
		final PrecisionChooser.Choice c = new PrecisionChooser(none, FAST).choose(none.resolve(root.resolve("m")
			.toString()), PrecisionChoice.AUTO, false);
		assertEquals(root.resolve("m-bf16").resolve("model.json").toAbsolutePath().normalize(), c.model()
			.descriptorFile());
	}

	@Test
	void aVariantThatDoesNotMatchIsRefused() throws Exception {
		model("odd", j -> variants(j, "odd-bf16"));
		model("odd-bf16", j -> {
			j.addProperty("precision", "bfloat16");
			j.addProperty("scale", 2);
		});
		model("wrong", j -> variants(j, "plain"));
		final ModelException scale = assertThrows(ModelException.class, () -> choose(FAST, "odd", PrecisionChoice.AUTO,
			false));
		assertTrue(scale.getMessage().contains("does not match it: the scale or the input channels differ"),
			scale.getMessage());
		final ModelException precision = assertThrows(ModelException.class, () -> choose(FAST, "wrong",
			PrecisionChoice.AUTO, false));
		assertTrue(precision.getMessage().contains("its precision is float32, not bfloat16"), precision.getMessage());
		// the same prompts labelled otherwise would record another prompt_mode for the same pixels
		model("moody", j -> {
			variants(j, "moody-bf16");
			final JsonObject modes = new JsonObject();
			modes.addProperty("photo", "realism");
			j.add("prompt_modes", modes);
		});
		model("moody-bf16", j -> j.addProperty("precision", "bfloat16"));
		final ModelException modes = assertThrows(ModelException.class, () -> choose(FAST, "moody",
			PrecisionChoice.AUTO, false));
		assertTrue(modes.getMessage().contains("does not match it: the prompt modes differ"), modes.getMessage());
	}

	@Test
	void descriptorsWithoutPrecisionAreFloat32AndBadValuesAreRefused() throws Exception {
		assertEquals("float32", ModelDescriptor.read(TestImages.model("conv-x4").resolve("model.json")).precision());
		final Path bad = model("bad", j -> j.addProperty("precision", "fp8"));
		final ModelException e = assertThrows(ModelException.class, () -> ModelDescriptor.read(bad.resolve(
			"model.json")));
		assertTrue(e.getMessage().endsWith("'precision' must be 'float32' or 'bfloat16', not 'fp8'"), e.getMessage());
	}

	@Test
	void theShippedModelsNameEachOther() throws Exception {
		final ModelRegistry shipped = new ModelRegistry(List.of(Path.of("models").toAbsolutePath()),
			getClass().getClassLoader());
		final ModelDescriptor f32 = shipped.resolve("sana-sr-compact-x4"), bf16 = shipped.resolve(
			"sana-sr-compact-x4-bf16");
		assertEquals("float32", f32.precision());
		assertEquals("sana-sr-compact-x4-bf16", f32.variants().get("bfloat16"));
		assertEquals("bfloat16", bf16.precision());
		assertEquals("sana-sr-compact-x4", bf16.variantOf());
		assertEquals(bf16.descriptorFile(), new PrecisionChooser(shipped, FAST).choose(f32, PrecisionChoice.AUTO, false)
			.model().descriptorFile());
	}

	@Test
	void cpuFlagsAreReadFromCpuinfo() {
		assertTrue(CpuFeatures.hasBfloat16Flags("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16 amx_tile\n"));
		assertTrue(CpuFeatures.hasBfloat16Flags("flags\t: fpu amx_bf16 amx_tile\n"));
		assertFalse(CpuFeatures.hasBfloat16Flags("flags\t\t: fpu sse avx512f avx512_vnni\nbugs\t: avx512_bf16\n"));
		assertFalse(CpuFeatures.hasBfloat16Flags(""));
	}
}
