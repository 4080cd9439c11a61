package io.github.sanasr.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Macro;
import io.github.sanasr.command.CommandParameters.Kind;
import io.github.sanasr.command.CommandParameters.Spec;
import io.github.sanasr.core.RestoreOptions;

import java.io.File;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * The SciJava commands and the ImageJ 1.x plugins agree: same menu paths, and every user parameter of a
 * SciJava command is a {@link Spec} with the same name, kind, default, choices and limits, in the same order;
 * ImageJ 1.x derives the same macro key from the dialog label.
 */
class CommandParametersTest {

	@Test
	void singleCommandMatchesTheSharedSpecs() throws Exception {
		assertSame(new SuperResolveCommand(), CommandParameters.SINGLE);
		assertEquals("Plugins>SANA-SR>Super-resolve (SANA-SR)", SuperResolveCommand.class.getAnnotation(Plugin.class).menuPath());
	}

	@Test
	void folderCommandMatchesTheSharedSpecs() throws Exception {
		assertSame(new SuperResolveFolderCommand(), CommandParameters.FOLDER);
		assertEquals("Plugins>SANA-SR>Super-resolve folder (SANA-SR)",
			SuperResolveFolderCommand.class.getAnnotation(Plugin.class).menuPath());
	}

	@Test
	void sharedValidation() {
		assertThrows(IllegalArgumentException.class, () -> CommandParameters.restoreOptions("m", 5, "auto", "cpu", "auto",
			null, false, false, false, 0.1, 99.9));
		assertThrows(IllegalArgumentException.class, () -> CommandParameters.restoreOptions("m", 4, "auto", "cpu", "auto",
			null, false, false, false, 50, 10));
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandParameters
			.restoreOptions("m", 4, "auto", "cpu", "bf16", null, false, false, false, 0.1, 99.9));
		assertEquals("precision must be auto, float32 or bfloat16, not 'bf16'", e.getMessage());
		final RestoreOptions o = CommandParameters.restoreOptions("m", 3, "auto", "cpu", "float32", null, false, true,
			false, 0.1, 99.9);
		assertEquals(3, o.scale());
		assertEquals(RestoreOptions.PrecisionChoice.FLOAT32, o.precision());
		assertEquals(true, o.consistency());
		assertEquals(RestoreOptions.PrecisionChoice.AUTO, RestoreOptions.builder().build().precision());
		assertEquals(false, RestoreOptions.builder().build().consistency());
	}

	@Test
	void dialogsOfferChoicesForModelScaleAndPrompt() {
		assertEquals(List.of("2", "3", "4"), spec(CommandParameters.SINGLE, CommandParameters.SCALE).choices());
		assertEquals(Kind.MODEL, spec(CommandParameters.FOLDER, CommandParameters.MODEL).kind());
		assertEquals(Kind.PROMPT, spec(CommandParameters.FOLDER, CommandParameters.PROMPT).kind());
		// the shipped models (in the build's resources and in models/), the default first, a folder picker last
		final List<String> models = ModelChoices.models();
		assertEquals(CommandParameters.DEFAULT_MODEL, models.get(0));
		assertTrue(models.contains("sana-sr-compact-x4-bf16"), models.toString());
		assertEquals(ModelChoices.OTHER_FOLDER, models.get(models.size() - 1));
		// a model folder given earlier stays on the list, before the picker
		final List<String> with = ModelChoices.including(models, "/some/folder");
		assertEquals("/some/folder", with.get(with.size() - 2));
		assertEquals(models, ModelChoices.including(models, CommandParameters.DEFAULT_MODEL));
		// prompts: default, then the model's own list (a model folder works too); an unknown model offers default
		assertEquals(List.of("default", "generic", "photo", "fluorescence", "brightfield", "histology", "electron",
			"astro"), ModelChoices.prompts(io.github.sanasr.core.TestImages.model("conv-x4").toString()));
		assertEquals(List.of("default"), ModelChoices.prompts("no-such-model"));
		assertEquals(List.of("default"), ModelChoices.prompts(ModelChoices.OTHER_FOLDER));
	}

	@Test
	void everyPlaceThatDescribesThePromptSaysWhatRealismCosts() throws Exception {
		final String note = CommandParameters.REALISM_NOTE;
		assertTrue(note.contains("photo, realistic") && note.contains("invented") && note.contains("not measured") &&
			note.contains("invented-detail") && note.contains("default keep fidelity") && !note.contains("\n"), note);
		// the Fiji dialogs' description (tooltip) of the prompt, in both commands; ImageJ 1.x shows it under the choice
		for (final Class<?> c : List.of(SuperResolveCommand.class, SuperResolveFolderCommand.class)) {
			final Parameter p = c.getDeclaredField(CommandParameters.PROMPT).getAnnotation(Parameter.class);
			assertTrue(p.description().endsWith(note), c + ": " + p.description());
		}
		assertTrue(spec(CommandParameters.SINGLE, CommandParameters.PROMPT).help().contains(note));
		// the macro documentation: every ready-made macro's header and the README's macro section
		final java.nio.file.Path root = java.nio.file.Path.of("").toAbsolutePath(); // the repository, as MacroTest reads it
		try (java.util.stream.Stream<java.nio.file.Path> macros = java.nio.file.Files.list(root.resolve("macros"))) {
			for (final java.nio.file.Path m : macros.filter(f -> f.toString().endsWith(".ijm")).toList())
				assertTrue(java.nio.file.Files.readString(m).contains("// prompt=: " + note + "\n"), m.toString());
		}
		assertTrue(java.nio.file.Files.readString(root.resolve("README.md")).contains(note));
	}

	@Test
	void fijiDialogGetsTheChoiceListsFromTheInitialisers() throws Exception {
		final org.scijava.Context ctx = new org.scijava.Context(org.scijava.command.CommandService.class);
		try {
			final org.scijava.command.CommandService cs = ctx.service(org.scijava.command.CommandService.class);
			final SuperResolveFolderCommand c = (SuperResolveFolderCommand) ctx.service(org.scijava.module.ModuleService.class)
				.createModule(cs.getCommand(SuperResolveFolderCommand.class));
			final String folder = io.github.sanasr.core.TestImages.model("conv-x4").toString();
			c.setInput(CommandParameters.MODEL, folder); // as a macro gives it
			c.resolveInput(CommandParameters.MODEL);
			c.initialize();
			final List<?> models = c.getInfo().getInput(CommandParameters.MODEL).getChoices();
			assertEquals(CommandParameters.DEFAULT_MODEL, models.get(0));
			assertTrue(models.contains(folder), "the given folder is offered: " + models);
			assertEquals(ModelChoices.OTHER_FOLDER, models.get(models.size() - 1));
			assertEquals(ModelChoices.prompts(folder), c.getInfo().getInput(CommandParameters.PROMPT).getChoices());
			// choosing another model offers its prompts; a prompt it does not know falls back to default
			c.setInput(CommandParameters.PROMPT, "fluorescence");
			c.setInput(CommandParameters.MODEL, "no-such-model");
			c.modelChosen();
			assertEquals(List.of("default"), c.getInfo().getInput(CommandParameters.PROMPT).getChoices());
			assertEquals("default", c.getInput(CommandParameters.PROMPT));
			// "Other model folder..." without a folder picked (no UI here) keeps the model chosen before
			c.setInput(CommandParameters.MODEL, ModelChoices.OTHER_FOLDER);
			c.modelChosen();
			assertEquals("no-such-model", c.getInput(CommandParameters.MODEL));
		}
		finally {
			ctx.dispose();
		}
	}

	private static Spec spec(final List<Spec> specs, final String name) {
		return specs.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
	}

	private static void assertSame(final Object command, final List<Spec> specs) throws Exception {
		final List<Field> fields = new ArrayList<>();
		for (final Field f : command.getClass().getDeclaredFields()) {
			final Parameter p = f.getAnnotation(Parameter.class);
			if (p == null || p.type() == ItemIO.OUTPUT || p.visibility() == ItemVisibility.MESSAGE) continue;
			if (f.getName().equals("image") || f.getType().getName().startsWith("org.scijava")) continue;
			fields.add(f);
		}
		assertEquals(specs.stream().map(Spec::name).toList(), fields.stream().map(Field::getName).toList());
		for (int i = 0; i < specs.size(); i++) {
			final Spec s = specs.get(i);
			final Field f = fields.get(i);
			final Parameter p = f.getAnnotation(Parameter.class);
			f.setAccessible(true);
			final Object value = f.get(command);
			assertEquals(s.name(), Macro.trimKey(s.label()), "ImageJ 1.x's macro key of the label " + s.label());
			switch (s.kind()) {
				case DIRECTORY -> assertEquals(File.class, f.getType(), s.name());
				case BOOLEAN -> assertEquals(s.defaultValue(), value, s.name());
				case INT, DOUBLE -> {
					assertEquals(((Number) s.defaultValue()).doubleValue(), ((Number) value).doubleValue(), s.name());
					if (!Double.isNaN(s.min())) {
						assertEquals(s.min(), Double.parseDouble(p.min()), s.name());
						assertEquals(s.max(), Double.parseDouble(p.max()), s.name());
					}
				}
				case CHOICE -> {
					assertEquals(s.defaultValue(), value, s.name());
					assertEquals(s.choices(), List.of(p.choices()), s.name());
				}
				case STRING, MODEL, PROMPT -> {
					assertEquals(s.defaultValue(), value, s.name());
					assertEquals(String.class, f.getType(), s.name());
				}
			}
			assertEquals(s.kind() == Kind.INT, f.getType() == int.class, s.name());
		}
	}
}
