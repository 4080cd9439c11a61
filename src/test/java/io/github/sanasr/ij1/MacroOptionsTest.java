package io.github.sanasr.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.command.CommandParameters;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MacroOptionsTest {

	@Test
	void keysValuesBracketsAndBareFlags() {
		final Map<String, String> expected = new LinkedHashMap<>();
		expected.put("input", "/data/my images");
		expected.put("pattern", "*.tif;*.png");
		expected.put("fidelity_map", null);
		expected.put("scale", "4");
		expected.put("empty", "");
		assertEquals(expected, MacroOptions.parse("input=[/data/my images] pattern=[*.tif;*.png] fidelity_map Scale=4 empty=[] "));
		assertTrue(MacroOptions.parse(null).isEmpty());
		assertThrows(IllegalArgumentException.class, () -> MacroOptions.parse("model=[/open"));
	}

	@Test
	void macroValuesBooleansInBothSpellingsAndDefaults() {
		final String cmd = CommandParameters.SINGLE_COMMAND;
		final Ij1Parameters p = Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE, "fidelity_map float32=false scale=3 ");
		assertTrue(p.bool(CommandParameters.FIDELITY_MAP));
		assertEquals(false, p.bool(CommandParameters.FLOAT32));
		assertEquals(3, p.integer(CommandParameters.SCALE));
		assertEquals(CommandParameters.DEFAULT_MODEL, p.string(CommandParameters.MODEL));
		assertEquals(99.9, p.number(CommandParameters.HIGH_PERCENTILE));
		assertEquals("model=sana-sr-compact-x4 scale=3 tile=auto device=auto precision=auto prompt=default " +
			"fidelity_map=true consistency=false float32=false low_percentile=0.1 high_percentile=99.9", p.asMacroOptions());
		assertEquals(true, Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE, "fidelity_map=true").bool("fidelity_map"));

		final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
			() -> Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE, "scael=4"));
		assertTrue(unknown.getMessage().contains("Unknown option 'scael'") && unknown.getMessage().contains("scale"));
		assertThrows(IllegalArgumentException.class, () -> Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE,
			"scale=2.5").integer(CommandParameters.SCALE));
		assertThrows(IllegalArgumentException.class, () -> Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE,
			"device=tpu").choice(CommandParameters.DEVICE));
		assertThrows(IllegalArgumentException.class, () -> Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE,
			"fidelity_map=yes").bool(CommandParameters.FIDELITY_MAP));
		final Ij1Parameters fast = Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE, "precision=BFloat16 consistency");
		assertEquals("bfloat16", fast.choice(CommandParameters.PRECISION));
		assertTrue(fast.bool(CommandParameters.CONSISTENCY));
		assertThrows(IllegalArgumentException.class, () -> Ij1Parameters.fromMacro(cmd, CommandParameters.SINGLE,
			"precision=fp16").choice(CommandParameters.PRECISION));
	}
}
