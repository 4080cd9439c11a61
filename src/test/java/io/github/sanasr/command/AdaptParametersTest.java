package io.github.sanasr.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Macro;
import io.github.sanasr.adapt.AdaptOptions;
import io.github.sanasr.adapt.Degradation;
import io.github.sanasr.command.CommandParameters.Kind;
import io.github.sanasr.command.CommandParameters.Spec;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.ItemIO;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * "Adapt model to my images" has one set of parameters: the SciJava command's fields are {@link AdaptParameters#SPECS}
 * (names = macro keys, defaults, choices, limits), the ImageJ 1.x labels give the same keys, and the command run
 * the way a macro runs it reports bad input clearly and writes nothing.
 */
class AdaptParametersTest {

	private static Context context;

	@TempDir
	Path tmp;

	@BeforeAll
	static void start() {
		context = new Context(CommandService.class);
	}

	@AfterAll
	static void stop() {
		context.dispose();
	}

	@Test
	void commandFieldsAreTheSharedSpecs() throws Exception {
		assertEquals("Plugins>SANA-SR>Adapt model to my images", AdaptCommand.class.getAnnotation(Plugin.class).menuPath());
		final AdaptCommand command = new AdaptCommand();
		final List<Field> fields = new ArrayList<>();
		for (final Field f : AdaptCommand.class.getDeclaredFields()) {
			final Parameter p = f.getAnnotation(Parameter.class);
			if (p == null || p.type() == ItemIO.OUTPUT || f.getName().equals("image") ||
				f.getType().getName().startsWith("org.scijava")) continue;
			fields.add(f);
		}
		final List<Spec> specs = AdaptParameters.SPECS;
		assertEquals(specs.stream().map(Spec::name).toList(), fields.stream().map(Field::getName).toList());
		for (int i = 0; i < specs.size(); i++) {
			final Spec s = specs.get(i);
			final Field f = fields.get(i);
			final Parameter p = f.getAnnotation(Parameter.class);
			f.setAccessible(true);
			assertEquals(s.name(), Macro.trimKey(s.label()), "ImageJ 1.x's macro key of the label " + s.label());
			if (s.kind() == Kind.DOUBLE) {
				assertEquals(((Number) s.defaultValue()).doubleValue(), ((Number) f.get(command)).doubleValue(), s.name());
				assertEquals(s.min(), Double.parseDouble(p.min()), s.name());
				assertEquals(s.max(), Double.parseDouble(p.max()), s.name());
			}
			else assertEquals(s.defaultValue(), f.get(command), s.name());
			if (s.kind() == Kind.CHOICE) assertEquals(s.choices(), List.of(p.choices()), s.name());
		}
	}

	@Test
	void sharedValidation() {
		final AdaptOptions o = AdaptParameters.options("mine", "", 3, "bicubic", "auto", "", true);
		assertEquals(AdaptParameters.DEFAULT_BASE, o.base());
		assertEquals(Degradation.BICUBIC, o.degradation());
		assertTrue(o.estimateNoise() && o.overwrite());
		assertNull(o.modelsDir());
		assertThrows(IllegalArgumentException.class, () -> AdaptParameters.options("", null, 3, "binning", "none", null, false));
		assertThrows(IllegalArgumentException.class, () -> AdaptParameters.options("a/b", null, 3, "binning", "none", null,
			false));
		assertThrows(IllegalArgumentException.class, () -> AdaptParameters.options("m", null, 0, "binning", "none", null,
			false));
		assertThrows(IllegalArgumentException.class, () -> AdaptParameters.options("m", null, 1, "gauss", "none", null,
			false));
		assertThrows(IllegalArgumentException.class, () -> AdaptParameters.options("m", null, 1, "binning", "maybe", null,
			false));
		assertEquals(List.of(Path.of("/a b/c.tif"), Path.of("d")), AdaptParameters.imagePaths(" /a b/c.tif ;; d"));
	}

	/** Every input given, as a recorded macro line gives them (SciJava would fill missing ones from the last run). */
	private String runAsMacro(final Map<String, Object> given) throws Exception {
		final Map<String, Object> inputs = new java.util.HashMap<>(Map.of("images", "", "base", "", "minutes", 1.0,
			"degradation", "binning", "noise", "none", "models_dir", "", "overwrite", false));
		inputs.putAll(given);
		final CommandModule m = context.service(CommandService.class).run(AdaptCommand.class, true, inputs).get();
		return m.isCanceled() ? m.getCancelReason() : null;
	}

	@Test
	void commandReportsBadInputAndWritesNothing() throws Exception {
		final Path models = tmp.resolve("models");
		String reason = runAsMacro(Map.of("name", "mine", "models_dir", models.toString()));
		assertTrue(reason != null && reason.startsWith("No images"), reason);
		reason = runAsMacro(Map.of("name", "mine", "images", tmp.resolve("nothing-here.tif").toString(), "models_dir",
			models.toString()));
		assertTrue(reason != null && reason.contains("No such file"), reason);
		reason = runAsMacro(Map.of("name", "../evil", "images", tmp.toString(), "models_dir", models.toString()));
		assertTrue(reason != null && reason.contains("name must be a folder name"), reason);
		assertFalse(Files.exists(models));
	}
}
