package io.github.sanasr.macro;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Menus;
import ij.WindowManager;
import ij.plugin.PlugIn;

import java.util.Hashtable;
import java.util.List;

import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.ItemVisibility;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.convert.ConvertService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.module.process.LoadInputsPreprocessor;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.module.process.SaveInputsPreprocessor;
import org.scijava.plugin.PluginService;
import org.scijava.service.Service;

/**
 * TEST-ONLY stand-in for imagej-legacy (not obtainable here): makes IJ1's {@code run("Super-resolve
 * (SANA-SR)", "scale=4 ...")} run the SciJava command. Inputs are filled the way imagej-legacy's
 * MacroPreprocessor does it: for every input, {@code Macro.getValue(options, name, null)}, converted by the
 * ConvertService when it can be, otherwise left alone; an ImagePlus input gets the active image (legacy's
 * ActiveImagePreprocessor); ImagePlus outputs are shown (legacy's display postprocessor), which in batch mode
 * makes them the current image.
 */
public class SciJavaMacroBridge implements PlugIn {

	/** IJ1 menu labels of the SciJava commands, as Fiji shows them. */
	public static final List<String[]> COMMANDS = List.of(
		new String[] { "Super-resolve (SANA-SR)", "io.github.sanasr.command.SuperResolveCommand" },
		new String[] { "Super-resolve folder (SANA-SR)", "io.github.sanasr.command.SuperResolveFolderCommand" });

	private static Context context;

	/** Registers the commands in IJ1's command table (as imagej-legacy does for every SciJava command). */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static synchronized void install() {
		if (Menus.getCommands() == null) {
			try {
				final java.lang.reflect.Method init = IJ.class.getDeclaredMethod("init");
				init.setAccessible(true);
				init.invoke(null);
			}
			catch (final ReflectiveOperationException e) {
				throw new IllegalStateException("cannot initialise ImageJ 1.x's menus", e);
			}
		}
		final Hashtable table = Menus.getCommands();
		for (final String[] c : COMMANDS) table.put(c[0], SciJavaMacroBridge.class.getName() + "(\"" + c[1] + "\")");
	}

	private static synchronized Context context() {
		if (context == null) context = new Context();
		return context;
	}

	@Override
	public void run(final String commandClass) {
		final Context ctx = context();
		final ConvertService convert = ctx.service(ConvertService.class);
		final ModuleService modules = ctx.service(ModuleService.class);
		try {
			@SuppressWarnings("unchecked")
			final Class<? extends Command> c = (Class<? extends Command>) Class.forName(commandClass);
			final CommandInfo info = ctx.service(CommandService.class).getCommand(c);
			final Module module = modules.createModule(info);
			final String options = Macro.getOptions();
			for (final ModuleItem<?> input : info.inputs()) {
				final Class<?> type = input.getType();
				final String name = input.getName();
				if (Service.class.isAssignableFrom(type) || type == Context.class) continue;
				if (input.getVisibility() == ItemVisibility.MESSAGE) continue;
				if (type == ImagePlus.class) {
					module.setInput(name, WindowManager.getCurrentImage());
					module.setResolved(name, true);
					continue;
				}
				if (options == null) continue;
				// imagej-legacy's MacroPreprocessor (current version), line for line: IJ1Helper.getMacroParameter(name)
				// is Macro.getValue(options, name, null); a key that is absent leaves the input alone
				final String value = Macro.getValue(options, name, null);
				if (value == null) continue;
				if (!convert.supports(value, type)) continue;
				module.setInput(name, convert.convert(value, type));
				module.setResolved(name, true);
			}
			final PluginService plugins = ctx.service(PluginService.class);
			final List<PreprocessorPlugin> pre = plugins.createInstancesOfType(PreprocessorPlugin.class).stream()
				.filter(p -> !(p instanceof LoadInputsPreprocessor) && !(p instanceof SaveInputsPreprocessor)).toList();
			final List<PostprocessorPlugin> post = plugins.createInstancesOfType(PostprocessorPlugin.class);
			modules.run(module, pre, post, (java.util.Map<String, Object>) null).get();
			if (module instanceof Cancelable cm && cm.isCanceled()) {
				fail(commandClass + " cancelled: " + cm.getCancelReason());
				return;
			}
			for (final ModuleItem<?> output : info.outputs()) {
				if (output.getValue(module) instanceof ImagePlus imp) imp.show();
			}
		}
		catch (final Exception e) {
			fail(commandClass + " failed: " + e);
		}
	}

	/** Like a cancelled command in Fiji: the macro stops, with the reason on stderr for the test to read. */
	private static void fail(final String message) {
		System.err.println("SANA-SR bridge: " + message);
		Macro.abort();
	}
}
