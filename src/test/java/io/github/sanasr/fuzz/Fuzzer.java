package io.github.sanasr.fuzz;

import ij.ImagePlus;
import ij.measure.Calibration;
import ij.process.ImageProcessor;
import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRestorer;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.BatchStatus;
import io.github.sanasr.batch.BatchListener;
import io.github.sanasr.batch.ImageRestorer;
import io.github.sanasr.batch.OutputFormat;
import io.github.sanasr.cli.CliArguments;
import io.github.sanasr.cli.CliProbe;
import io.github.sanasr.command.CommandParameters;
import io.github.sanasr.command.SuperResolveCommand;
import io.github.sanasr.core.NearestModel;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;
import io.github.sanasr.core.Restorer;
import io.github.sanasr.core.TestImages;
import io.github.sanasr.ij1.Ij1MacroProbe;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.convert.ConvertService;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.module.process.LoadInputsPreprocessor;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.module.process.SaveInputsPreprocessor;
import org.scijava.plugin.PluginService;

/**
 * TEST-ONLY: the fuzz of issue 17. Each case is drawn from its own seed ({@code seed}, case number), runs in a
 * worker thread under a time limit with stderr captured, and must end with either a correct output (right
 * size, type, calibration and provenance) or one clear error (a message in words: no Java exception name, no
 * stack trace on stderr, no partial or temporary file left), and leave its input image or file unmodified.
 * Anything else is a violation, reported with the case's description. Families of cases:
 * <ul>
 * <li>core: random images ({@link FuzzImages}) and option strings through {@link CommandParameters#restoreOptions}
 * and {@link Restorer} with a pure-Java nearest-neighbour model (fast, so a thousand cases fit in CI);</li>
 * <li>SciJava: the Fiji command with string parameters converted as imagej-legacy converts a macro's, on the
 * TorchScript test model conv-x4;</li>
 * <li>ImageJ 1.x macro options: random option strings through the ImageJ 1.x plugins' parsing and validation;</li>
 * <li>CLI parser: random argument lists through the launcher's parser;</li>
 * <li>CLI run: the whole command line in this JVM on small folders of good and corrupt files;</li>
 * <li>files: corrupt files (truncated, wrong extension, zero bytes, sizes too large to allocate, flipped header
 * bytes, trailing garbage) through the batch runner.</li>
 * </ul>
 */
public final class Fuzzer {

	/** The families of cases, with their share of the cases (out of 100). */
	public enum Family {
		CORE("core: images x options (Restorer)", 40), SCIJAVA("SciJava command parameters", 12),
		IJ1_MACRO("ImageJ 1.x macro options", 13), CLI_PARSE("CLI parser", 12), CLI_RUN("CLI run (whole launcher)", 2),
		FILES("files: corrupt, truncated, too large (batch)", 21);

		final String words;
		final int share;

		Family(final String words, final int share) {
			this.words = words;
			this.share = share;
		}

		static Family draw(final Random r) {
			int k = r.nextInt(100);
			for (final Family f : values()) {
				if (k < f.share) return f;
				k -= f.share;
			}
			return CORE;
		}
	}

	/** A violation found by an oracle: the case breaks a promise. */
	static final class Violation extends RuntimeException {

		private static final long serialVersionUID = 1L;

		Violation(final String message) {
			super(message);
		}
	}

	/** Java exception or error names, or a stack frame: what a clear error must not contain. */
	static final Pattern JAVA_NOISE = Pattern.compile("(\\b[a-z]+(\\.[a-z0-9_]+)+\\.[A-Z]\\w*(Exception|Error)\\b)|" +
		"(\\b\\w*(Exception|Error): )|(^|\\n)\\s+at [\\w$.]+\\(|Exception in thread");

	static final Pattern STACK_TRACE = Pattern.compile("(^|\\n)\\s*at [\\w$.<>]+\\([^)]*\\)|Exception in thread|" +
		"(^|\\n)Caused by: ");

	private static final long CASE_LIMIT_S = 60; // the slowest case took 7.5 s on one core (first model load)

	private final long seed;
	private final Path work;
	private final Consumer<String> log;
	private final Path testModels = TestImages.model("conv-x4").getParent();
	private final String convFolder = TestImages.model("conv-x4").toString();
	private final ModelDescriptor conv;
	private final Restorer nearest;
	private Context context;
	private ExecutorService worker = newWorker();
	private final List<LogRecord> thrownLogs = new ArrayList<>();

	public Fuzzer(final long seed, final Path work, final Consumer<String> log) throws Exception {
		this.seed = seed;
		this.work = work;
		this.log = log;
		// the test models only (a class loader without the bundled ones), each run by a nearest-neighbour double
		final ModelRegistry registry = new ModelRegistry(List.of(testModels), new URLClassLoader(new URL[0], null));
		conv = registry.resolve("conv-x4");
		nearest = new Restorer(registry, (d, dev) -> new NearestModel(d.scale())).log(null);
	}

	/** Runs {@code cases} cases; the report has every outcome. */
	public FuzzReport run(final int cases) throws Exception {
		final FuzzReport report = new FuzzReport(seed);
		final Handler watch = new Handler() {

			@Override
			public void publish(final LogRecord r) {
				if (r.getThrown() != null) synchronized (thrownLogs) {
					thrownLogs.add(r);
				}
			}

			@Override
			public void flush() {}

			@Override
			public void close() {}
		};
		Logger.getLogger("").addHandler(watch);
		final long start = System.nanoTime();
		try {
			for (int i = 0; i < cases; i++) {
				final Random r = new Random(seed * 1_000_003L + i);
				final Family family = Family.draw(r);
				runCase(i, family, r, report);
			}
		}
		finally {
			Logger.getLogger("").removeHandler(watch);
			worker.shutdownNow();
			if (context != null) context.dispose();
			report.seconds((System.nanoTime() - start) / 1e9);
		}
		return report;
	}

	private void runCase(final int i, final Family family, final Random r, final FuzzReport report) {
		final String[] what = { "case " + i };
		final ByteArrayOutputStream err = new ByteArrayOutputStream(), out = new ByteArrayOutputStream();
		final PrintStream oldErr = System.err, oldOut = System.out;
		FuzzReport.Outcome outcome;
		String problem = null;
		final long t0 = System.nanoTime();
		synchronized (thrownLogs) {
			thrownLogs.clear();
		}
		System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
		System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
		try {
			final Future<FuzzReport.Outcome> f = worker.submit(() -> switch (family) {
				case CORE -> core(r, what);
				case SCIJAVA -> scijava(r, what);
				case IJ1_MACRO -> ij1Macro(r, what);
				case CLI_PARSE -> cliParse(r, what);
				case CLI_RUN -> cliRun(i, r, what);
				case FILES -> files(i, r, what);
			});
			outcome = f.get(CASE_LIMIT_S, TimeUnit.SECONDS);
		}
		catch (final TimeoutException e) {
			outcome = FuzzReport.Outcome.VIOLATION;
			problem = "did not end within " + CASE_LIMIT_S + " s";
			worker.shutdownNow();
			worker = newWorker();
		}
		catch (final ExecutionException e) {
			outcome = FuzzReport.Outcome.VIOLATION;
			final Throwable c = e.getCause();
			problem = c instanceof Violation ? c.getMessage() : "escaped: " + stackTrace(c);
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
		finally {
			System.setErr(oldErr);
			System.setOut(oldOut);
		}
		final String stderr = err.toString(StandardCharsets.UTF_8);
		if (problem == null && STACK_TRACE.matcher(stderr).find()) problem = "a stack trace on stderr:\n" + head(stderr);
		synchronized (thrownLogs) {
			if (problem == null && !thrownLogs.isEmpty()) problem = "a stack trace logged: " + thrownLogs.get(0).getMessage() +
				" " + thrownLogs.get(0).getThrown();
		}
		if (problem != null) outcome = FuzzReport.Outcome.VIOLATION;
		final String line = what[0] + (problem == null ? "" : "\n    -> " + problem);
		report.add(family, outcome, line, (System.nanoTime() - t0) / 1e9);
		if (problem != null) log.accept("FUZZ VIOLATION " + family + " " + line);
	}

	private static ExecutorService newWorker() {
		return Executors.newSingleThreadExecutor(r -> {
			final Thread t = new Thread(r, "sanasr-fuzz-case");
			t.setDaemon(true);
			return t;
		});
	}

	// -- core: images x options --

	private static final String[] GOOD_TILES = { "auto", "auto", "", "0", "8", "16", "24", "33", "64", "AUTO", " 24 ",
		"+16", "\u0661\u0666" }, BAD_TILES = { "7", "-3", "abc", "1e3", "12px" };
	private static final String[] GOOD_PROMPTS = { "default", "default", "", "generic", "photo", "FLUORESCENCE",
		" electron " }, BAD_PROMPTS = { "sky", "photo,astro", "ünï", "default " + "x" };
	private static final String[] GOOD_DEVICES = { "auto", "cpu", "CPU", " auto ", "" }, BAD_DEVICES = { "tpu", "gpu0",
		"cpu1" };
	// the test models have no bfloat16 variant: bfloat16 is a well-formed word that the model must refuse clearly
	private static final String[] GOOD_PRECISIONS = { "auto", "auto", "float32", "FLOAT32", " auto ", "" },
		BAD_PRECISIONS = { "bfloat16", "fp16", "half" };

	/**
	 * Half of the cases are drawn well-formed (every value valid); in the others each value is invalid with
	 * probability 0.3. So both outcomes come in numbers, and the oracle knows which to expect.
	 */
	private static <T> T pick(final Random r, final boolean wellFormed, final T[] good, final T[] bad) {
		return !wellFormed && r.nextInt(10) < 3 ? bad[r.nextInt(bad.length)] : good[r.nextInt(good.length)];
	}

	private FuzzReport.Outcome core(final Random r, final String[] what) throws Exception {
		final FuzzImages.Drawn d = FuzzImages.draw(r);
		final ImagePlus in = d.image();
		final boolean wf = r.nextBoolean();
		final String[] goodModels = { "conv-x4", "conv-x4", " conv-x4 ", convFolder, convFolder + "/model.json" };
		final String model = pick(r, wf, goodModels, new String[] { "no-such-model", "../../etc", "" });
		final int scale = pick(r, wf, new Integer[] { 4, 4, 2, 3 }, new Integer[] { 1, 5, 0, 8, -4 });
		final String tile = pick(r, wf, GOOD_TILES, BAD_TILES), prompt = pick(r, wf, GOOD_PROMPTS, BAD_PROMPTS),
			device = pick(r, wf, GOOD_DEVICES, BAD_DEVICES);
		final double[] pct = !wf && r.nextInt(10) < 3 ? badPercentiles(r) : goodPercentiles(r);
		final boolean fidelity = r.nextBoolean(), float32 = r.nextInt(3) == 0;
		final String precision = pick(r, wf, GOOD_PRECISIONS, BAD_PRECISIONS);
		final boolean consistency = r.nextBoolean();
		what[0] = String.format(Locale.ROOT, "%s | model=%s scale=%d tile=%s device=%s precision=%s prompt=%s pct=%s-%s " +
			"fidelity=%b consistency=%b float32=%b", d.description(), FuzzImages.quoted(model), scale, FuzzImages.quoted(tile),
			FuzzImages.quoted(device), FuzzImages.quoted(precision), FuzzImages.quoted(prompt), pct[0], pct[1], fidelity,
			consistency, float32);
		final boolean valid = List.of(goodModels).contains(model) && scale >= 2 &&
			scale <= 4 && validTile(tile) && validDevice(device) && validPrecision(precision) && validPrompt(prompt) &&
			pct[0] >= 0 && pct[1] <= 100 && pct[0] < pct[1];
		final String before = FuzzImages.checksum(in);
		RestoreResult result = null;
		String error = null;
		try {
			final RestoreOptions o = CommandParameters.restoreOptions(model, scale, tile, device, precision, prompt, fidelity,
				consistency, float32, pct[0], pct[1]);
			result = nearest.restore(in, o, null);
		}
		catch (final IllegalArgumentException | RestoreException e) {
			error = e.getMessage();
		}
		if (!before.equals(FuzzImages.checksum(in))) throw new Violation("the input image was modified");
		if (error != null) {
			clearError(error);
			if (valid) throw new Violation("a valid case was refused: " + error);
			return FuzzReport.Outcome.CLEAR_ERROR;
		}
		if (!valid) throw new Violation("an invalid case was not refused");
		checkOutput(d, result.image(), scale, float32, prompt, consistency);
		if (fidelity != result.fidelityMap().isPresent()) throw new Violation("fidelity map present: " +
			result.fidelityMap().isPresent());
		result.fidelityMap().ifPresent(m -> {
			if (m.getWidth() != in.getWidth() || m.getHeight() != in.getHeight()) throw new Violation(
				"fidelity map is " + m.getWidth() + "x" + m.getHeight());
		});
		return FuzzReport.Outcome.CORRECT_OUTPUT;
	}

	private static double[] goodPercentiles(final Random r) {
		return switch (r.nextInt(4)) {
			case 0 -> new double[] { 0, 100 };
			case 1 -> new double[] { r.nextDouble() * 2, 98 + 2 * r.nextDouble() };
			default -> new double[] { 0.1, 99.9 };
		};
	}

	private static double[] badPercentiles(final Random r) {
		return new double[][] { { Double.NaN, 99.9 }, { -1, 99 }, { 1, 101 }, { 50, 50 }, { 60, 40 }, { 0.1,
			Double.POSITIVE_INFINITY } }[r.nextInt(6)];
	}

	/** Size, type, layout, calibration, title and provenance of a result, from its input and options. */
	private void checkOutput(final FuzzImages.Drawn d, final ImagePlus out, final int scale, final boolean float32,
		final String prompt, final boolean consistency)
	{
		final ImagePlus in = d.image();
		final boolean colour = d.depth() == 24 || d.indexed();
		expect("width", in.getWidth() * scale, out.getWidth());
		expect("height", in.getHeight() * scale, out.getHeight());
		expect("channels", in.getNChannels() * (colour && float32 ? 3 : 1), out.getNChannels());
		expect("slices", in.getNSlices(), out.getNSlices());
		expect("frames", in.getNFrames(), out.getNFrames());
		expect("bit depth", float32 ? 32 : colour ? 24 : d.depth(), out.getBitDepth());
		expect("title", Restorer.outputTitle(in, scale), out.getTitle());
		final Calibration a = in.getCalibration(), b = out.getCalibration();
		expect("pixel width", a.pixelWidth / scale, b.pixelWidth);
		expect("pixel height", a.pixelHeight / scale, b.pixelHeight);
		expect("pixel depth", a.pixelDepth, b.pixelDepth);
		expect("unit", a.getUnit(), b.getUnit());
		expect("x origin", a.xOrigin * scale, b.xOrigin);
		expect("y origin", a.yOrigin * scale, b.yOrigin);
		expect("frame interval", a.frameInterval, b.frameInterval);
		expect("model_sha256", conv.sha256(), out.getProp("model_sha256"));
		expect("scale property", String.valueOf(scale), out.getProp("scale"));
		final String p = prompt.isBlank() || prompt.trim().equalsIgnoreCase("default") ? "generic"
			: prompt.trim().toLowerCase(Locale.ROOT);
		expect("prompt property", p, out.getProp("prompt"));
		expect("precision property", "float32", out.getProp("precision")); // the test models are float32 only
		expect("consistency property", String.valueOf(consistency), out.getProp("consistency"));
		if (consistency != (out.getProp("consistency_projection") != null)) throw new Violation(
			"consistency_projection recorded: " + (out.getProp("consistency_projection") != null));
		if (out.getProp("statement") == null || !String.valueOf(out.getProperty("Info")).contains("model_sha256"))
			throw new Violation("no provenance statement or Info");
		// constant planes stay constant (and finite) in grey images; finite planes give finite 32-bit output
		if (colour) return;
		for (int t = 1; t <= in.getNFrames(); t++)
			for (int z = 1; z <= in.getNSlices(); z++)
				for (int c = 1; c <= in.getNChannels(); c++) {
					final ImageProcessor pi = in.getStack().getProcessor(in.getStackIndex(c, z, t));
					final ImageProcessor po = out.getStack().getProcessor(out.getStackIndex(c, z, t));
					final String content = d.contents()[in.getStackIndex(c, z, t) - 1];
					if (content.equals("zero") || content.equals("max")) {
						final float v = pi.getf(0, 0);
						for (int k = 0; k < po.getPixelCount(); k++)
							if (Math.abs(po.getf(k) - v) > Math.max(1e-3, 1e-5 * Math.abs(v))) throw new Violation(
								"constant plane c" + c + " z" + z + " t" + t + " = " + v + " came back with " + po.getf(k));
					}
					if (po.getBitDepth() == 32 && finite(pi)) {
						for (int k = 0; k < po.getPixelCount(); k++)
							if (!Float.isFinite(po.getf(k))) throw new Violation("finite plane c" + c + " z" + z + " t" + t +
								" came back with " + po.getf(k));
					}
				}
	}

	private static boolean finite(final ImageProcessor p) {
		for (int k = 0; k < p.getPixelCount(); k++)
			if (!Float.isFinite(p.getf(k))) return false;
		return true;
	}

	private static void expect(final String what, final Object expected, final Object actual) {
		final boolean same = expected instanceof Double e && actual instanceof Double a ? Double.compare(e, a) == 0 ||
			e.equals(a) || Math.abs(e - a) <= 1e-12 * Math.abs(e) : java.util.Objects.equals(expected, actual);
		if (!same) throw new Violation(what + ": expected " + expected + ", got " + actual);
	}

	static boolean validTile(final String s) {
		final String t = s.trim();
		if (t.isEmpty() || t.equalsIgnoreCase("auto")) return true;
		try {
			final int v = Integer.parseInt(t);
			return v == 0 || v >= 8;
		}
		catch (final NumberFormatException e) {
			return false;
		}
	}

	static boolean validDevice(final String s) {
		final String d = s.trim().toLowerCase(Locale.ROOT);
		return d.isEmpty() || d.equals("auto") || d.equals("cpu");
	}

	static boolean validPrecision(final String s) {
		final String p = s.trim().toLowerCase(Locale.ROOT);
		return p.isEmpty() || p.equals("auto") || p.equals("float32");
	}

	static boolean validPrompt(final String s) {
		final String p = s.trim().toLowerCase(Locale.ROOT);
		return p.isEmpty() || p.equals("default") || List.of("generic", "photo", "fluorescence", "brightfield", "histology",
			"electron", "astro").contains(p);
	}

	/** One clear error: words for a person, not a Java exception name or a stack frame. */
	static void clearError(final String message) {
		if (message == null || message.isBlank()) throw new Violation("an error without a message");
		if (JAVA_NOISE.matcher(message).find()) throw new Violation("an error in Java's words: " + message);
		if (message.startsWith("Internal error") || message.startsWith("unexpected error")) throw new Violation(
			"an internal error: " + message);
	}

	// -- SciJava: the Fiji command, parameters as a macro's strings --

	private FuzzReport.Outcome scijava(final Random r, final String[] what) throws Exception {
		if (context == null) context = new Context(CommandService.class);
		final FuzzImages.Drawn d = FuzzImages.draw(r, 2000); // the TorchScript model runs: small images
		final ImagePlus in = r.nextInt(15) == 0 ? null : d.image();
		final Map<String, String> given = new HashMap<>();
		final boolean wf = r.nextBoolean();
		// per parameter: the good values, then the bad ones (as strings, the way a macro gives them)
		final String[][][] values = { { { "model", convFolder, convFolder + "/" }, { "no-such-model", "../x" } },
			{ { "scale", "4", "4", "2", "3", "4.0" }, { "1", "5", "x", "", "-2", "99999999999" } },
			{ { "tile", "auto", "auto", "16", "" }, { "7", "abc" } }, { { "device", "cpu", "cpu", "auto", "CPU", "" },
				{ "tpu" } }, { { "precision", "auto", "auto", "float32" }, { "fp16", "bfloat16" } },
			{ { "prompt", "default", "default", "photo", "", "ASTRO" }, { "nonsense" } },
			{ { "fidelity_map", "true", "false" }, { "yes", "" } }, { { "consistency", "false", "true" }, { "yes" } },
			{ { "float32", "false", "true" }, { "0" } },
			{ { "low_percentile", "0.1", "0.1", "1e-1", "0" }, { "abc", "NaN", "-5", "60" } },
			{ { "high_percentile", "99.9", "99.9", "100", "1e2" }, { "Infinity", "50", "" } } };
		final StringBuilder w = new StringBuilder(d.description()).append(in == null ? " (no image)" : "").append(" |");
		for (final String[][] v : values) {
			// left out: the command's default (never the model, whose default is the shipped one: slow here)
			if (!v[0][0].equals("model") && r.nextInt(6) == 0) continue;
			final String[] good = java.util.Arrays.copyOfRange(v[0], 1, v[0].length);
			final String value = pick(r, wf, good, v[1]);
			given.put(v[0][0], value);
			w.append(' ').append(v[0][0]).append('=').append(FuzzImages.quoted(value));
		}
		what[0] = w.toString();
		final String before = in == null ? "" : FuzzImages.checksum(in);
		final ModuleService modules = context.service(ModuleService.class);
		final ConvertService convert = context.service(ConvertService.class);
		final SuperResolveCommand m = (SuperResolveCommand) modules.createModule(context.service(CommandService.class)
			.getCommand(SuperResolveCommand.class));
		m.setInput("image", in);
		m.resolveInput("image");
		for (final ModuleItem<?> item : m.getInfo().inputs()) {
			final String v = given.get(item.getName());
			// imagej-legacy's way: converted when the ConvertService can, otherwise the input is left alone
			if (v == null || !convert.supports(v, item.getType())) continue;
			final Object converted = convert.convert(v, item.getType());
			if (converted == null) continue;
			m.setInput(item.getName(), converted);
			m.resolveInput(item.getName());
		}
		final PluginService plugins = context.service(PluginService.class);
		final List<PreprocessorPlugin> pre = plugins.createInstancesOfType(PreprocessorPlugin.class).stream()
			.filter(p -> !(p instanceof LoadInputsPreprocessor) && !(p instanceof SaveInputsPreprocessor)).toList();
		final List<PostprocessorPlugin> post = plugins.createInstancesOfType(PostprocessorPlugin.class);
		modules.run(m, pre, post, (Map<String, Object>) null).get();
		if (in != null && !before.equals(FuzzImages.checksum(in))) throw new Violation("the input image was modified");
		if (m.isCanceled()) {
			clearError(m.getCancelReason());
			if (m.getOutput("result") != null) throw new Violation("a refused run has a result");
			if (in != null && valid(m)) throw new Violation("valid values were refused: " + m.getCancelReason());
			return FuzzReport.Outcome.CLEAR_ERROR;
		}
		if (in == null || !valid(m)) throw new Violation("not refused");
		checkOutputLoosely(d, (ImagePlus) m.getOutput("result"), (Integer) m.getInput("scale"), (Boolean) m.getInput(
			"float32"));
		if ((Boolean) m.getInput("fidelity_map") != (m.getOutput("fidelity") != null)) throw new Violation(
			"fidelity map output does not match fidelity_map=" + m.getInput("fidelity_map"));
		expect("consistency property", String.valueOf(m.getInput("consistency")), ((ImagePlus) m.getOutput("result"))
			.getProp("consistency"));
		return FuzzReport.Outcome.CORRECT_OUTPUT;
	}

	/** Whether the values the command ended up with (after conversion) are a valid set. */
	private boolean valid(final SuperResolveCommand m) {
		final String model = (String) m.getInput("model");
		final int scale = (Integer) m.getInput("scale");
		final double low = (Double) m.getInput("low_percentile"), high = (Double) m.getInput("high_percentile");
		return model != null && model.startsWith(convFolder) && scale >= 2 && scale <= 4 && validTile((String) m.getInput(
			"tile")) && validDevice((String) m.getInput("device")) && validPrecision((String) m.getInput("precision")) &&
			validPrompt((String) m.getInput("prompt")) &&
			low >= 0 && high <= 100 && low < high;
	}

	private static void checkOutputLoosely(final FuzzImages.Drawn d, final ImagePlus out, final int scale,
		final boolean float32)
	{
		if (out == null) throw new Violation("no result");
		final boolean colour = d.depth() == 24 || d.indexed();
		expect("width", d.image().getWidth() * scale, out.getWidth());
		expect("height", d.image().getHeight() * scale, out.getHeight());
		expect("bit depth", float32 ? 32 : colour ? 24 : d.depth(), out.getBitDepth());
		expect("pixel width", d.image().getCalibration().pixelWidth / scale, out.getCalibration().pixelWidth);
		if (out.getProp("model_sha256") == null) throw new Violation("no provenance");
	}

	// -- ImageJ 1.x macro options --

	private static final String[] KEYS = { "model", "scale", "tile", "device", "precision", "prompt", "fidelity_map",
		"consistency", "float32",
		"low_percentile", "high_percentile", "input", "output", "pattern", "recursive", "format", "overwrite", "Scale",
		"unknown", "modell", "fidelity", "", "=", "[", "ünï" };
	private static final String[] VALUES = { "4", "2", "3", "5", "0", "4.5", "auto", "cpu", "gpu", "tpu", "true", "false",
		"photo", "[a b]", "[", "[]", "]", "=", "x=y", "NaN", "-1", "1e400", "*.tif;*.png", "tif", "png", "jpg", "ünï cødé",
		"float32", "bfloat16", "fp16",
		// an absolute path as an option value (the temporary folder's, not a literal machine path)
		new java.io.File(System.getProperty("java.io.tmpdir"), "x").getPath(), "", "[with space", "0x10", "\u0661" };

	private FuzzReport.Outcome ij1Macro(final Random r, final String[] what) {
		final boolean folder = r.nextBoolean();
		final StringBuilder s = new StringBuilder();
		if (r.nextBoolean()) { // well-formed: known keys, plausible values, in any order, perhaps one slip
			final List<String> parts = new ArrayList<>(List.of("model=" + convFolder, "scale=" + (2 + r.nextInt(3)),
				"tile=" + new String[] { "auto", "16", "[ 32 ]" }[r.nextInt(3)], "device=cpu", "prompt=" + new String[] {
					"default", "photo", "[fluorescence]" }[r.nextInt(3)], r.nextBoolean() ? "fidelity_map" : "fidelity_map=false",
				"precision=" + new String[] { "auto", "float32", "[bfloat16]" }[r.nextInt(3)],
				r.nextBoolean() ? "consistency" : "consistency=false",
				"float32=" + r.nextBoolean(), "low_percentile=0.1", "high_percentile=99.9"));
			if (folder) parts.addAll(List.of("input=[" + work + "]", "output=[" + work.resolve("ij1 out") + "]",
				"pattern=[*.tif;*.png]", "recursive", "format=" + (r.nextBoolean() ? "tif" : "PNG"), "overwrite=true"));
			java.util.Collections.shuffle(parts, r);
			for (final String part : parts.subList(0, r.nextInt(parts.size() + 1)))
				s.append(part).append(' ');
			if (r.nextInt(4) == 0) s.append(KEYS[r.nextInt(KEYS.length)]).append('=').append(VALUES[r.nextInt(VALUES.length)]);
		}
		else {
			final int n = r.nextInt(8);
			for (int k = 0; k < n; k++) {
				if (k > 0) s.append(r.nextInt(8) == 0 ? "  " : " ");
				s.append(KEYS[r.nextInt(KEYS.length)]);
				if (r.nextInt(5) != 0) s.append('=').append(VALUES[r.nextInt(VALUES.length)]);
			}
			if (folder && r.nextBoolean()) s.append(" input=").append(work).append(" output=").append(work.resolve("ij1-out"));
		}
		final String options = s.toString();
		what[0] = (folder ? "folder " : "single ") + FuzzImages.quoted(options) + " (" + options.length() + " chars)";
		final Object parsed;
		try {
			parsed = Ij1MacroProbe.parse(folder, options);
		}
		catch (final IllegalArgumentException e) {
			clearError(e.getMessage());
			return FuzzReport.Outcome.CLEAR_ERROR;
		}
		final RestoreOptions o = parsed instanceof BatchJob j ? j.options() : (RestoreOptions) parsed;
		if (o.scale() < 2 || o.scale() > 4 || !(o.lowPercentile() >= 0 && o.highPercentile() <= 100 &&
			o.lowPercentile() < o.highPercentile())) throw new Violation("accepted invalid options: " + o);
		return FuzzReport.Outcome.CORRECT_OUTPUT;
	}

	// -- the command line's parser --

	private static final String[] ARGS = { "--output", "--output", "--model", "--scale", "--tile", "--device",
		"--precision", "--consistency", "--precision=fp16", "--prompt",
		"--format", "--fidelity-map", "--overwrite", "--pattern", "--recursive", "--float32", "--low-percentile",
		"--high-percentile", "--", "--scale=4", "--tile=", "--fidelity-map=yes", "--unknown", "-x", "--Scale", "in.tif",
		"folder", "4", "abc", "", " ", "ünï cødé.tif", "--output=out", "=", "--=x", "1e9", "-1", "NaN" };

	private FuzzReport.Outcome cliParse(final Random r, final String[] what) {
		final List<String> args = new ArrayList<>();
		if (r.nextBoolean()) { // well-formed: inputs, --output, options with values, perhaps one slip
			args.addAll(List.of("in.tif", r.nextBoolean() ? "--output" : "--OUTPUT", "out"));
			final String[][] options = { { "--model", "conv-x4" }, { "--scale", "2" }, { "--tile", "auto" }, { "--device",
				"CPU" }, { "--prompt", "photo" }, { "--format", "PNG" }, { "--pattern", "*.tif" }, { "--low-percentile", "0.5" },
				{ "--high-percentile", "99" }, { "--fidelity-map" }, { "--overwrite" }, { "--recursive" }, { "--float32" },
				{ "--precision", "BFloat16" }, { "--consistency" },
				{ "--scale=3" }, { "--", "-weird-name.tif" }, { "folder2" } };
			for (int k = r.nextInt(6); k > 0; k--)
				args.addAll(List.of(options[r.nextInt(options.length)]));
			if (r.nextInt(4) == 0) args.add(r.nextInt(args.size() + 1), ARGS[r.nextInt(ARGS.length)]);
		}
		else for (int k = r.nextInt(9); k > 0; k--)
			args.add(ARGS[r.nextInt(ARGS.length)]);
		what[0] = args.stream().map(FuzzImages::quoted).toList().toString();
		try {
			final CliArguments a = CliArguments.parse(args);
			final Map<String, Object> inputs = a.commandInputs();
			if (a.inputs().isEmpty() || inputs.get("output") == null) throw new Violation("parsed without input or output");
			return FuzzReport.Outcome.CORRECT_OUTPUT;
		}
		catch (final CliArguments.UsageException e) {
			clearError(e.getMessage());
			return FuzzReport.Outcome.CLEAR_ERROR;
		}
	}

	// -- the whole command line, in this JVM --

	private FuzzReport.Outcome cliRun(final int i, final Random r, final String[] what) throws Exception {
		final Path dir = Files.createDirectories(work.resolve("cli-" + i));
		final Path in = Files.createDirectories(dir.resolve("in")), out = dir.resolve("out");
		final int files = 1 + r.nextInt(3);
		final List<String> kinds = new ArrayList<>();
		for (int k = 0; k < files; k++)
			kinds.add(FuzzFiles.write(in, "f" + k, r, 2000)); // the TorchScript model runs: small images
		final Map<Path, String> sums = FuzzFiles.checksums(in);
		final List<String> args = new ArrayList<>(List.of(in.toString(), "--output", out.toString()));
		if (r.nextInt(6) != 0) args.addAll(List.of("--model", convFolder));
		final String[][] extra = { { "--scale", "4", "2", "3", "5", "x" }, { "--tile", "auto", "16", "3" },
			{ "--device", "cpu", "auto", "tpu" }, { "--precision", "auto", "float32", "bfloat16", "fp16" },
			{ "--prompt", "default", "photo", "nonsense" }, { "--format", "tif", "png",
				"bmp" }, { "--pattern", "*", "*.tif;*.png", "[" }, { "--low-percentile", "0.1", "70" } };
		for (final String[] e : extra)
			if (r.nextInt(3) == 0) args.addAll(List.of(e[0], e[1 + r.nextInt(e.length - 1)]));
		for (final String flag : new String[] { "--fidelity-map", "--consistency", "--overwrite", "--float32",
			"--recursive" })
			if (r.nextInt(4) == 0) args.add(flag);
		what[0] = kinds + " " + args.subList(1, args.size()).stream().map(a -> a.replace(dir.toString(), "DIR")).toList();
		final ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
		final int status = CliProbe.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true,
			StandardCharsets.UTF_8));
		final String stderr = e.toString(StandardCharsets.UTF_8);
		what[0] += " -> exit " + status;
		if (!sums.equals(FuzzFiles.checksums(in))) throw new Violation("an input file was modified");
		if (STACK_TRACE.matcher(stderr).find()) throw new Violation("a stack trace on stderr:\n" + head(stderr));
		FuzzFiles.noTemporaries(out);
		if (status != 0 && status != 1 && status != 2) throw new Violation("exit status " + status);
		if (status != 0) {
			if (stderr.isBlank()) throw new Violation("exit " + status + " without a message on stderr");
			for (final String line : stderr.split("\n"))
				if (!line.isBlank() && !line.startsWith("Try: ")) clearError(line.replaceFirst("^sana-sr: ", ""));
		}
		if (status == 2) {
			if (Files.isDirectory(out)) try (Stream<Path> s = Files.list(out)) {
				if (s.anyMatch(p -> !p.getFileName().toString().equals(BatchReport.CSV_NAME))) throw new Violation(
					"a usage error left outputs");
			}
			return FuzzReport.Outcome.CLEAR_ERROR;
		}
		return status == 0 ? FuzzReport.Outcome.CORRECT_OUTPUT : FuzzReport.Outcome.CLEAR_ERROR;
	}

	// -- corrupt files through the batch runner --

	private FuzzReport.Outcome files(final int i, final Random r, final String[] what) throws Exception {
		final Path dir = Files.createDirectories(work.resolve("files-" + i));
		final Path in = Files.createDirectories(dir.resolve("in")), out = dir.resolve("out");
		final String kind = FuzzFiles.write(in, FuzzFiles.NAMES[r.nextInt(FuzzFiles.NAMES.length)], r);
		final Path file;
		try (Stream<Path> s = Files.list(in)) {
			file = s.findFirst().orElseThrow();
		}
		final Map<Path, String> sums = FuzzFiles.checksums(in);
		final int scale = 2 + r.nextInt(3);
		final OutputFormat format = r.nextInt(4) == 0 ? OutputFormat.PNG : OutputFormat.TIF;
		final boolean fidelity = r.nextBoolean(), float32 = r.nextInt(4) == 0;
		what[0] = kind + " " + FuzzImages.quoted(file.getFileName().toString()) + " scale=" + scale + " format=" + format +
			" fidelity=" + fidelity + " float32=" + float32;
		final BatchJob job = BatchJob.builder().input(r.nextBoolean() ? in : file).outputDir(out).format(format)
			.overwrite(r.nextBoolean()).options(RestoreOptions.builder().model(convFolder).scale(scale).tile("auto")
				.fidelityMap(fidelity).float32Output(float32).build()).build();
		final ImageRestorer restorer = nearest::restore;
		final BatchReport report = new BatchRestorer(restorer).run(job, BatchListener.NONE);
		if (!sums.equals(FuzzFiles.checksums(in))) throw new Violation("the input file was modified");
		FuzzFiles.noTemporaries(out);
		if (report.rows().size() != 1) throw new Violation("expected one row, got " + report.rows());
		final BatchRow row = report.rows().get(0);
		what[0] += " -> " + row.status() + (row.message().isEmpty() ? "" : ": " + row.message());
		if (row.status() == BatchStatus.OK) {
			FuzzFiles.checkWritten(row, file, scale, fidelity, float32, format);
			return FuzzReport.Outcome.CORRECT_OUTPUT;
		}
		if (row.status() != BatchStatus.FAILED) throw new Violation("status " + row.status());
		clearError(row.message());
		FuzzFiles.nothingWrittenFor(out, file);
		if (kind.startsWith("valid ") && !FuzzFiles.pngRefusal(row.message())) throw new Violation("a valid file failed");
		return FuzzReport.Outcome.CLEAR_ERROR;
	}

	// -- helpers --

	static String stackTrace(final Throwable t) {
		final java.io.StringWriter w = new java.io.StringWriter();
		t.printStackTrace(new java.io.PrintWriter(w));
		return head(w.toString());
	}

	static String head(final String s) {
		return s.lines().limit(12).reduce((a, b) -> a + "\n      " + b).orElse("");
	}

	/** Removes a folder tree (the fuzz's scratch space). */
	public static void delete(final Path dir) throws IOException {
		if (!Files.exists(dir)) return;
		try (Stream<Path> s = Files.walk(dir)) {
			for (final Path p : s.sorted(Comparator.reverseOrder()).toList())
				Files.deleteIfExists(p);
		}
	}
}
