package io.github.sanasr.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
				case STRING -> assertEquals(s.defaultValue(), value, s.name());
			}
			assertEquals(s.kind() == Kind.INT, f.getType() == int.class, s.name());
		}
	}
}
