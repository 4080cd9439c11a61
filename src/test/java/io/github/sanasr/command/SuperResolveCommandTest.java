package io.github.sanasr.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import io.github.sanasr.core.TestImages;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandService;

/** The command through a headless SciJava context, as a macro or script would run it. */
class SuperResolveCommandTest {

	private static Context context;
	private static CommandService commands;

	@BeforeAll
	static void start() {
		context = new Context(CommandService.class);
		commands = context.service(CommandService.class);
	}

	@AfterAll
	static void stop() {
		context.dispose();
	}

	/** Lets another test class run the command in its own context. */
	static void useContext(final Context c) {
		context = c;
		commands = c.service(CommandService.class);
	}

	static SuperResolveCommand run(final ImagePlus image, final Object... params) throws Exception {
		// every parameter given: SciJava otherwise fills missing ones with the last used (persisted) values
		final Map<String, Object> inputs = new HashMap<>();
		inputs.put("image", image);
		inputs.put("model", "sana-sr-compact-x4");
		inputs.put("scale", 4);
		inputs.put("tile", "auto");
		inputs.put("device", "auto");
		inputs.put("prompt", "default");
		inputs.put("fidelity_map", false);
		inputs.put("float32", false);
		inputs.put("low_percentile", 0.1);
		inputs.put("high_percentile", 99.9);
		for (int i = 0; i < params.length; i += 2)
			inputs.put((String) params[i], params[i + 1]);
		// the command is a DynamicCommand, so it is its own module, not a CommandModule
		// (CommandService.run hands back only CommandModules), so it runs through the ModuleService
		return (SuperResolveCommand) context.service(org.scijava.module.ModuleService.class).run(commands.getCommand(
			SuperResolveCommand.class), true, inputs).get();
	}

	@Test
	void eightBitAndRgbEndToEnd() throws Exception {
		final String model = TestImages.model("conv-x4").toString();
		for (final int depth : new int[] { 8, 24 }) {
			final ImagePlus in = TestImages.image("in-" + depth, depth, 20, 13, 1, 1, 1);
			final SuperResolveCommand m = run(in, "model", model, "scale", 4, "tile", "auto", "device", "cpu", "prompt",
				"fluorescence", "fidelity_map", true);
			assertFalse(m.isCanceled(), () -> m.getCancelReason());
			final ImagePlus out = (ImagePlus) m.getOutput("result");
			assertEquals("in-" + depth + "-SANA-SR-x4", out.getTitle());
			assertEquals(80, out.getWidth());
			assertEquals(depth, out.getBitDepth());
			final ImagePlus map = (ImagePlus) m.getOutput("fidelity");
			assertNotNull(map);
			assertEquals(20, map.getWidth());
			assertEquals(32, map.getBitDepth());
			assertEquals("fluorescence", out.getProp("prompt"));
		}
	}

	@Test
	void badParametersCancelWithAClearReason() throws Exception {
		final ImagePlus in = TestImages.image("x", 8, 9, 9, 1, 1, 1);
		final String model = TestImages.model("conv-x4").toString();
		final String[][] bad = { { "tile", "big" }, { "device", "tpu" }, { "prompt", "no-such-prompt" },
			{ "model", "/no/such/folder" } };
		for (final String[] b : bad) {
			final SuperResolveCommand m = run(in, "model", model, b[0], b[1]);
			assertTrue(m.isCanceled(), b[0]);
			assertTrue(m.getCancelReason().toLowerCase().contains(b[0].equals("model") ? "not found" : b[0]) ||
				m.getCancelReason().contains(b[1]), m.getCancelReason());
			assertNull(m.getOutput("result"));
		}
	}

	@Test
	void pluginIndexListsTheCommand() throws Exception {
		try (InputStream in = getClass().getResourceAsStream("/META-INF/json/org.scijava.plugin.Plugin")) {
			assertNotNull(in, "annotation processor output missing");
			final String index = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			assertTrue(index.contains(SuperResolveCommand.class.getName()));
			assertTrue(index.contains("Super-resolve (SANA-SR)"));
		}
	}
}
