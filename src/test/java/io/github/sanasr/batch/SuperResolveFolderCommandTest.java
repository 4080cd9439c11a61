package io.github.sanasr.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.command.SuperResolveCommand;
import io.github.sanasr.command.SuperResolveFolderCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.ItemVisibility;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.convert.ConvertService;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.service.Service;

/** The folder command inside a SciJava Context, with string inputs as a macro or --run passes them. */
class SuperResolveFolderCommandTest {

	private static Context context;

	@TempDir
	Path tmp;

	@BeforeAll
	static void startContext() {
		context = new Context();
	}

	@AfterAll
	static void stopContext() {
		context.dispose();
	}

	private SuperResolveFolderCommand run(final Map<String, Object> inputs, final FakeRestorer fake) throws Exception {
		final ModuleService modules = context.service(ModuleService.class);
		final CommandInfo info = context.service(CommandService.class).getCommand(SuperResolveFolderCommand.class);
		final SuperResolveFolderCommand command = (SuperResolveFolderCommand) modules.createModule(info);
		final SuperResolveFolderCommand module = command;
		command.setRestorer(fake);
		modules.run(module, false, inputs).get();
		return command;
	}

	@Test
	void runsFromStringInputs() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		TestImages.png8(in, "a.png", 10, 10);
		TestImages.png8(in, "b.png", 10, 10);
		TestImages.tif16(in, "c.tif", 10, 10);
		final Map<String, Object> inputs = new LinkedHashMap<>();
		inputs.put("input", in.toString());
		inputs.put("output", tmp.resolve("out").toString());
		inputs.put("pattern", "*.png");
		inputs.put("scale", "2");
		inputs.put("tile", "auto");
		inputs.put("device", "cpu");
		inputs.put("prompt", "photo");
		inputs.put("fidelity_map", "true");
		inputs.put("format", "png");
		inputs.put("overwrite", "false");
		final FakeRestorer fake = new FakeRestorer();
		final SuperResolveFolderCommand command = run(inputs, fake);
		assertFalse(command.isCanceled(), command.getCancelReason());
		assertEquals("2 restored, 0 skipped (already done), 0 failed", command.report().summaryLine());
		assertTrue(Files.exists(tmp.resolve("out/a-SANA-SR-x2.png")));
		assertTrue(Files.exists(tmp.resolve("out/b-SANA-SR-x2-fidelity.tif")));
		assertTrue(Files.exists(tmp.resolve("out/" + BatchReport.CSV_NAME)));
	}

	@Test
	void badParametersCancelWithAReasonAndWriteNothing() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		TestImages.png8(in, "a.png", 10, 10);
		final Map<String, Object> inputs = Map.of("input", in.toString(), "output", tmp.resolve("out").toString(),
			"tile", "huge", "device", "auto", "format", "tif", "scale", "4");
		final FakeRestorer fake = new FakeRestorer();
		final SuperResolveFolderCommand command = run(inputs, fake);
		assertTrue(command.isCanceled());
		assertTrue(command.getCancelReason().contains("tile must be"), command.getCancelReason());
		assertNull(command.report());
		assertEquals(List.of(), fake.restoredTitles);
	}

	/**
	 * Fiji's macro recorder and imagej-legacy's macro runner need: lowercase names (Macro.getValue looks up
	 * "key="), every input convertible from its string form, no Button or other GUI-only callbacks. The one
	 * callback, on the model, only refreshes the dialog's prompt list (and asks for a folder): a macro, which
	 * runs no callback, still gives model and prompt as plain text.
	 */
	@Test
	void bothCommandsAreMacroFriendly() {
		final ConvertService convert = context.service(ConvertService.class);
		for (final Class<? extends org.scijava.command.Command> c : List.of(SuperResolveCommand.class, SuperResolveFolderCommand.class)) {
			final CommandInfo info = context.service(CommandService.class).getCommand(c);
			for (final ModuleItem<?> item : info.inputs()) {
				final Class<?> type = item.getType();
				if (Service.class.isAssignableFrom(type) || type == Context.class || type.getName().equals("ij.ImagePlus")) continue;
				if (item.getVisibility() == ItemVisibility.MESSAGE) continue;
				final String where = c.getSimpleName() + "." + item.getName();
				assertEquals(item.getName().toLowerCase(Locale.ROOT), item.getName(), where + " is not lowercase");
				assertNotEquals("org.scijava.widget.Button", type.getName(), where + " is a Button");
				assertTrue(item.getCallback() == null || item.getCallback().isEmpty() ||
					item.getName().equals("model") && item.getCallback().equals("modelChosen"), where + " has a GUI callback");
				final String sample = type == boolean.class ? "true" : type == int.class || type == double.class ? "4"
					: type == java.io.File.class ? "/tmp" : "auto";
				assertTrue(convert.supports(sample, type), where + " cannot be converted from a string");
			}
		}
	}
}
