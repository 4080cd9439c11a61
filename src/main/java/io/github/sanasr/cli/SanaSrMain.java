package io.github.sanasr.cli;

import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.command.CommandParameters;
import io.github.sanasr.command.SuperResolveFolderCommand;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.console.ConsoleService;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;
import org.scijava.module.event.ModuleCanceledEvent;
import org.scijava.module.process.LoadInputsPreprocessor;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.module.process.SaveInputsPreprocessor;
import org.scijava.plugin.PluginService;
import org.scijava.module.event.ModuleExecutingEvent;
import org.scijava.module.event.ModuleFinishedEvent;
import org.scijava.startup.StartupService;

/**
 * The {@code sana-sr} command line. Two forms, both running the SciJava folder command in a headless
 * Context, exactly as Fiji would:
 * <ul>
 * <li>{@code sana-sr INPUT... --output DIR [options]} (see {@link #USAGE});</li>
 * <li>{@code sana-sr --headless --run command:io.github.sanasr.command.SuperResolveFolderCommand
 * "input='/in',output='/out',scale=4"}, handed to SciJava's own console-argument handling (ConsoleService,
 * RunService, ParseService), the way Fiji's launcher does.</li>
 * </ul>
 * Exit status: 0 when every file was restored or skipped, 1 when any file failed or conflicted (one line each
 * on stderr), 2 for a command line or job that cannot run (checked before the first file).
 */
public final class SanaSrMain {

	public static final int OK = 0;
	public static final int SOME_FAILED = 1;
	public static final int UNUSABLE = 2;

	static final String USAGE = String.join("\n",
		"Usage: sana-sr INPUT... --output DIR [options]",
		"       sana-sr adapt IMAGES_OR_FOLDERS... --name NAME [options]   (adapt a model to your images; adapt --help)",
		"       sana-sr --headless --run command:" + SuperResolveFolderCommand.class.getName() + " \"input='DIR',output='DIR',scale=4\"",
		"",
		"Super-resolves images (x4 one-step diffusion, SANA-SR) with the Fiji plugin's own commands, headless.",
		"INPUT is an image file or a folder (all files in it that ImageJ opens).",
		"",
		"Options:",
		"  --output DIR         where results go (created; subfolders of folder inputs are mirrored)",
		"  --model NAME|PATH    shipped model name or model folder (default: sana-sr-compact-x4)",
		"  --scale 2|3|4        output scale (default 4, the model's own)",
		"  --tile N|auto        tile size in input pixels (default auto, from free memory)",
		"  --device auto|cpu|gpu  where to run (default auto: a GPU if DJL finds one)",
		"  --precision auto|float32|bfloat16  network precision (default auto: the model's bfloat16 variant where",
		"                       the CPU has AVX-512 BF16 or AMX, else float32)",
		"  --prompt P           content hint: generic, photo, fluorescence, brightfield, histology, electron, astro,",
		"                       realistic, faithful (as the model knows; default: the model's default prompt)",
		"                       " + CommandParameters.REALISM_NOTE,
		"  --format tif|png     output format (default tif, keeps ImageJ metadata; png for 8-bit/RGB planes)",
		"  --fidelity-map       also write <name>-fidelity.tif: where the output disagrees with the input, then the",
		"                       detail the input cannot hold (invented or inferred by the network), as channels",
		"  --consistency        make each output block's mean equal the input pixel (binning; off by default)",
		"  --overwrite          replace existing outputs (default: skip those made from the same input file, model and",
		"                       options, so a stopped run resumes; any other existing output is a CONFLICT, untouched)",
		"  --pattern GLOBS      file names to take from folders, ';'-separated (default *)",
		"  --recursive          include subfolders",
		"  --float32            32-bit float output (tif)",
		"  --low-percentile P, --high-percentile P  normalisation percentiles (default 0.1 and 99.9)",
		"  --help, --version",
		"",
		"Writes <name>-SANA-SR-x<scale>.<format>, <name>-SANA-SR-x<scale>.sanasr.json (provenance) and",
		"sanasr-summary.csv in DIR. Exit status: 0 all done, 1 some files failed or conflicted (listed on stderr),",
		"2 usage error (bad option, unknown or damaged model, unknown prompt: checked before the first file).",
		"Environment: SANASR_JAVA_OPTS (e.g. -Xmx16g), SANASR_BUILD_DIR (default: target/ next to the launcher).");

	private SanaSrMain() {}

	public static void main(final String[] args) {
		logToStdout(System.out);
		System.exit(run(Arrays.asList(args), System.out, System.err));
	}

	/**
	 * java.util.logging (used by the core for "loaded on cpu" and the like) prints to stderr by default;
	 * stderr is kept for failures, one line each, so scripts can count them.
	 */
	static void logToStdout(final PrintStream out) {
		final java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
		for (final java.util.logging.Handler h : root.getHandlers()) root.removeHandler(h);
		root.addHandler(new java.util.logging.Handler() {

			@Override
			public void publish(final java.util.logging.LogRecord r) {
				if (isLoggable(r)) out.println("[" + r.getLevel() + "] " + new java.util.logging.SimpleFormatter().formatMessage(r));
			}

			@Override
			public void flush() {
				out.flush();
			}

			@Override
			public void close() {}
		});
	}

	static int run(final List<String> args, final PrintStream out, final PrintStream err) {
		if (!args.isEmpty() && args.get(0).equals("adapt")) return AdaptMain.run(args.subList(1, args.size()), out, err);
		if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
			out.println(USAGE);
			return args.isEmpty() ? UNUSABLE : OK;
		}
		if (args.contains("--version")) {
			out.println("sana-sr " + Version.get());
			return OK;
		}
		if (args.contains("--run")) return runSciJavaArgs(args, out, err);
		final CliArguments cli;
		final Map<String, Object> inputs;
		try {
			cli = CliArguments.parse(args);
			inputs = cli.commandInputs();
		}
		catch (final CliArguments.UsageException e) {
			err.println("sana-sr: " + e.getMessage());
			err.println("Try: sana-sr --help");
			return UNUSABLE;
		}
		final Context context = new Context();
		try {
			final ModuleService modules = context.service(ModuleService.class);
			final CommandInfo info = context.service(CommandService.class).getCommand(SuperResolveFolderCommand.class);
			// a DynamicCommand (for its dialog's choice lists) is its own module
			final Module module = modules.createModule(info);
			final SuperResolveFolderCommand command = folderCommand(module);
			final TerminalProgress progress = progress(out, err);
			command.setInputs(cli.inputs());
			command.setBatchListener(progress);
			modules.run(module, preprocessors(context), postprocessors(context), inputs).get();
			progress.finish();
			return outcome(module, command, out, err);
		}
		catch (final Exception e) {
			err.println("sana-sr: " + e);
			return UNUSABLE;
		}
		finally {
			context.dispose();
		}
	}

	/**
	 * SciJava's usual pre- and postprocessing, except loading and saving input values in the user's
	 * preferences: options left out on the command line mean the documented defaults, not whatever was last
	 * typed into a dialog, and a cluster job does not rewrite anyone's preferences.
	 */
	private static List<PreprocessorPlugin> preprocessors(final Context context) {
		return context.service(PluginService.class).createInstancesOfType(PreprocessorPlugin.class).stream()
			.filter(p -> !(p instanceof LoadInputsPreprocessor) && !(p instanceof SaveInputsPreprocessor)).toList();
	}

	private static List<PostprocessorPlugin> postprocessors(final Context context) {
		return context.service(PluginService.class).createInstancesOfType(PostprocessorPlugin.class);
	}

	/** SciJava's own argument handling; we only listen to the module events to report and set the exit code. */
	private static int runSciJavaArgs(final List<String> args, final PrintStream out, final PrintStream err) {
		final Context context = new Context();
		final Outcome outcome = new Outcome(progress(out, err));
		try {
			context.service(EventService.class).subscribe(outcome);
			context.service(ConsoleService.class).processArgs(args.toArray(String[]::new));
			context.service(StartupService.class).executeOperations();
			outcome.progress.finish();
			if (outcome.module == null) {
				err.println("sana-sr: --run did not run a command: " + String.join(" ", args));
				return UNUSABLE;
			}
			final SuperResolveFolderCommand command = folderCommand(outcome.module);
			return outcome(outcome.module, command, out, err);
		}
		catch (final RuntimeException e) {
			err.println("sana-sr: " + (e.getCause() != null ? e.getCause() : e));
			return UNUSABLE;
		}
		finally {
			context.dispose();
		}
	}

	private static int outcome(final Module module, final SuperResolveFolderCommand command, final PrintStream out,
		final PrintStream err)
	{
		final boolean canceled = module instanceof org.scijava.Cancelable c && c.isCanceled();
		if (canceled || (command != null && command.isCanceled())) {
			final String reason = command != null ? command.getCancelReason()
				: ((org.scijava.Cancelable) module).getCancelReason();
			err.println("sana-sr: " + (reason != null ? reason : "cancelled"));
			return UNUSABLE;
		}
		if (command == null) return OK; // another command, run by --run: it finished
		final BatchReport report = command.report();
		if (report == null) {
			err.println("sana-sr: the batch did not run");
			return UNUSABLE;
		}
		out.println("sana-sr: " + report.summaryLine());
		return report.failures().isEmpty() && !report.cancelled() ? OK : SOME_FAILED;
	}

	private static TerminalProgress progress(final PrintStream out, final PrintStream err) {
		// a bar only where a person watches; logs and pipes get one line per file
		final String mode = System.getProperty("sanasr.progress"); // set by the launcher, which can test stderr
		final boolean terminal = mode != null ? mode.equals("bar")
			: System.console() != null && !"dumb".equals(System.getenv("TERM"));
		return new TerminalProgress(out, err, terminal);
	}

	/** Listens to the module run by SciJava's --run: hands it the progress printer, keeps its outcome. */
	public static final class Outcome {

		private final TerminalProgress progress;
		private Module module;

		Outcome(final TerminalProgress progress) {
			this.progress = progress;
		}

		@EventHandler
		public void onExecuting(final ModuleExecutingEvent e) {
			final SuperResolveFolderCommand c = folderCommand(e.getModule());
			if (c != null) c.setBatchListener(progress);
		}

		@EventHandler
		public void onFinished(final ModuleFinishedEvent e) {
			module = e.getModule();
		}

		@EventHandler
		public void onCanceled(final ModuleCanceledEvent e) {
			module = e.getModule();
		}
	}

	/** The folder command a module runs, or null: the module itself (a DynamicCommand) or its command. */
	static SuperResolveFolderCommand folderCommand(final Module module) {
		if (module instanceof SuperResolveFolderCommand c) return c;
		return module instanceof CommandModule cm && cm.getCommand() instanceof SuperResolveFolderCommand c ? c : null;
	}

	/** For callers that print failures themselves (kept here so every client words them the same). */
	public static String failureLine(final BatchRow row) {
		return TerminalProgress.failureLine(row);
	}
}
