package io.github.sanasr.command;

import io.github.sanasr.batch.BatchJob;
import io.github.sanasr.batch.OutputFormat;
import io.github.sanasr.core.RestoreOptions;

import java.nio.file.Path;
import java.util.List;

/**
 * The parameters of the two commands, defined once for both hosts: the SciJava commands (Fiji, headless)
 * take their defaults, choices, limits and descriptions from here, and the ImageJ 1.x plugins
 * ({@code io.github.sanasr.ij1}) build their dialogs and parse their macro options from {@link #SINGLE} and
 * {@link #FOLDER}. A parameter's name is the SciJava field name and the macro key in both hosts, so one macro
 * line runs in both. Validation is shared too: both hosts turn values into options through
 * {@link #restoreOptions} and {@link #batchJob}. No SciJava or ImageJ classes here.
 */
public final class CommandParameters {

	private CommandParameters() {}

	/** Menu labels, the same in Fiji and ImageJ 1.x (they are the macro command names). */
	public static final String SINGLE_COMMAND = "Super-resolve (SANA-SR)";
	public static final String FOLDER_COMMAND = "Super-resolve folder (SANA-SR)";
	public static final String MENU = "Plugins>SANA-SR";

	// -- names (= macro keys = SciJava field names) --
	public static final String MODEL = "model", SCALE = "scale", TILE = "tile", DEVICE = "device", PROMPT = "prompt",
		FIDELITY_MAP = "fidelity_map", FLOAT32 = "float32", LOW_PERCENTILE = "low_percentile",
		HIGH_PERCENTILE = "high_percentile", INPUT = "input", PATTERN = "pattern", RECURSIVE = "recursive",
		OUTPUT = "output", FORMAT = "format", OVERWRITE = "overwrite", PRECISION = "precision",
		CONSISTENCY = "consistency";

	// -- defaults, limits and choices --
	public static final String DEFAULT_MODEL = RestoreOptions.DEFAULT_MODEL;
	public static final int SCALE_MIN = 2, SCALE_MAX = 4, DEFAULT_SCALE = 4;
	public static final String DEFAULT_TILE = "auto", DEFAULT_DEVICE = "auto", DEFAULT_PROMPT = "default";
	public static final String DEVICE_AUTO = "auto", DEVICE_CPU = "cpu", DEVICE_GPU = "gpu";
	public static final String PRECISION_AUTO = "auto", PRECISION_FLOAT32 = "float32", PRECISION_BFLOAT16 = "bfloat16",
		DEFAULT_PRECISION = PRECISION_AUTO;
	public static final double PERCENTILE_MIN = 0, PERCENTILE_MAX = 100, DEFAULT_LOW_PERCENTILE = 0.1,
		DEFAULT_HIGH_PERCENTILE = 99.9;
	public static final String DEFAULT_PATTERN = BatchJob.ALL_FILES;
	public static final String FORMAT_TIF = "tif", FORMAT_PNG = "png", DEFAULT_FORMAT = FORMAT_TIF;

	// -- descriptions (tooltips in Fiji, help in the ImageJ 1.x dialog) --
	public static final String MODEL_HELP = "A shipped model name, or the path of a model folder or its model.json";
	public static final String SCALE_HELP = "4 is the model's native scale; 2 and 3 resample its output";
	public static final String TILE_HELP = "auto, or a size such as 256 (input pixels)";
	/**
	 * What realism costs, in one line: the prompt's help in both dialogs, {@code sana-sr --help} and the macro
	 * documentation say it in these words.
	 */
	public static final String REALISM_NOTE = "Realism prompts (photo, realistic, if the model marks them so): " +
		"textures invented by the network, not measured (see the fidelity map's invented-detail channels); " +
		"scientific prompts and default keep fidelity.";
	public static final String PROMPT_HELP = "default, generic, photo, fluorescence, brightfield, histology, " +
		"electron, astro, realistic, faithful (as the model knows). " + REALISM_NOTE;
	public static final String FIDELITY_HELP = "Also output where the result, degraded back, disagrees with the input";
	public static final String PATTERN_HELP =
		"File name globs separated by ';', e.g. *.tif;*.png (case-insensitive); * takes every file";
	public static final String PRECISION_HELP = "auto: the model's bfloat16 variant where the CPU has AVX-512 BF16 " +
		"or AMX, else float32; float32 insists on float32";
	public static final String CONSISTENCY_HELP = "Shift each output block so that its mean equals the input pixel " +
		"(exact for binned data; keeps the input's noise)";
	public static final String FORMAT_HELP = "tif keeps the ImageJ metadata; png only for 8-bit or RGB single planes";

	/**
	 * What kind of value a parameter holds, and so which dialog field shows it. An INT with choices shows as a
	 * choice list. MODEL and PROMPT are text in macros (any model name or folder; the model validates the
	 * prompt) but choice lists in dialogs: {@link ModelChoices#models()} with a way to pick a folder, and the
	 * chosen model's {@link ModelChoices#prompts(String)}.
	 */
	public enum Kind { STRING, INT, DOUBLE, BOOLEAN, CHOICE, DIRECTORY, MODEL, PROMPT }

	/**
	 * One parameter. {@code label} is the ImageJ 1.x dialog label: its first word is the name (ImageJ 1.x
	 * derives the macro key from it; underscores show as spaces).
	 */
	public record Spec(String name, String label, Kind kind, Object defaultValue, List<String> choices, double min,
		double max, String help)
	{
		static Spec of(final String name, final String hint, final Kind kind, final Object dflt, final String help) {
			return new Spec(name, label(name, hint), kind, dflt, List.of(), Double.NaN, Double.NaN, help);
		}

		Spec range(final double lo, final double hi) {
			return new Spec(name, label, kind, defaultValue, choices, lo, hi, help);
		}

		Spec choices(final String... c) {
			return new Spec(name, label, kind, defaultValue, List.of(c), min, max, help);
		}

		private static String label(final String name, final String hint) {
			final String n = Character.toUpperCase(name.charAt(0)) + name.substring(1);
			return hint == null ? n : n + " (" + hint + ")";
		}
	}

	private static final Spec MODEL_SPEC = Spec.of(MODEL, "name or folder", Kind.MODEL, DEFAULT_MODEL, MODEL_HELP);
	private static final Spec SCALE_SPEC = Spec.of(SCALE, null, Kind.INT, DEFAULT_SCALE, SCALE_HELP).range(SCALE_MIN,
		SCALE_MAX).choices("2", "3", "4");
	private static final Spec TILE_SPEC = Spec.of(TILE, "input pixels, or auto", Kind.STRING, DEFAULT_TILE, TILE_HELP);
	private static final Spec DEVICE_SPEC = Spec.of(DEVICE, null, Kind.CHOICE, DEFAULT_DEVICE, null).choices(DEVICE_AUTO,
		DEVICE_CPU, DEVICE_GPU);
	private static final Spec PRECISION_SPEC = Spec.of(PRECISION, null, Kind.CHOICE, DEFAULT_PRECISION, PRECISION_HELP)
		.choices(PRECISION_AUTO, PRECISION_FLOAT32, PRECISION_BFLOAT16);
	private static final Spec CONSISTENCY_SPEC = Spec.of(CONSISTENCY, "with the input", Kind.BOOLEAN, false,
		CONSISTENCY_HELP);
	private static final Spec PROMPT_SPEC = Spec.of(PROMPT, "content", Kind.PROMPT, DEFAULT_PROMPT, PROMPT_HELP);
	private static final Spec FIDELITY_SPEC = Spec.of(FIDELITY_MAP, null, Kind.BOOLEAN, false, FIDELITY_HELP);
	private static final Spec FLOAT32_SPEC = Spec.of(FLOAT32, "32-bit output", Kind.BOOLEAN, false, null);
	private static final Spec LOW_SPEC = Spec.of(LOW_PERCENTILE, null, Kind.DOUBLE, DEFAULT_LOW_PERCENTILE, null)
		.range(PERCENTILE_MIN, PERCENTILE_MAX);
	private static final Spec HIGH_SPEC = Spec.of(HIGH_PERCENTILE, null, Kind.DOUBLE, DEFAULT_HIGH_PERCENTILE, null)
		.range(PERCENTILE_MIN, PERCENTILE_MAX);

	/** Super-resolve (SANA-SR), in dialog order. */
	public static final List<Spec> SINGLE = List.of(MODEL_SPEC, SCALE_SPEC, TILE_SPEC, DEVICE_SPEC, PRECISION_SPEC,
		PROMPT_SPEC, FIDELITY_SPEC, CONSISTENCY_SPEC, FLOAT32_SPEC, LOW_SPEC, HIGH_SPEC);

	/** Super-resolve folder (SANA-SR), in dialog order. */
	public static final List<Spec> FOLDER = List.of(
		Spec.of(INPUT, "folder or image file", Kind.DIRECTORY, "", "Folder with the images to restore (or a single image file)"),
		Spec.of(PATTERN, "file names", Kind.STRING, DEFAULT_PATTERN, PATTERN_HELP),
		Spec.of(RECURSIVE, "include subfolders", Kind.BOOLEAN, false, null),
		Spec.of(OUTPUT, "folder", Kind.DIRECTORY, "", "Created if missing; subfolders are mirrored"),
		MODEL_SPEC, SCALE_SPEC, TILE_SPEC, DEVICE_SPEC, PRECISION_SPEC, PROMPT_SPEC, FIDELITY_SPEC, CONSISTENCY_SPEC,
		FLOAT32_SPEC, LOW_SPEC, HIGH_SPEC,
		Spec.of(FORMAT, "of the outputs", Kind.CHOICE, DEFAULT_FORMAT, FORMAT_HELP).choices(FORMAT_TIF, FORMAT_PNG),
		Spec.of(OVERWRITE, "existing outputs", Kind.BOOLEAN, false, null));

	/** The one validation of the restoration parameters, for both hosts. */
	public static RestoreOptions restoreOptions(final String model, final int scale, final String tile,
		final String device, final String precision, final String prompt, final boolean fidelityMap,
		final boolean consistency, final boolean float32, final double low, final double high)
	{
		if (scale < SCALE_MIN || scale > SCALE_MAX) throw new IllegalArgumentException("scale must be " + SCALE_MIN +
			", 3 or " + SCALE_MAX + " (got " + scale + ")");
		return RestoreOptions.builder().model(model).scale(scale).tile(tile).device(device).prompt(prompt)
			.precision(precision).fidelityMap(fidelityMap).consistency(consistency).float32Output(float32)
			.percentiles(low, high).build();
	}

	/** The one validation of a folder job, for both hosts; {@code inputs} non-empty. */
	public static BatchJob batchJob(final List<Path> inputs, final String pattern, final boolean recursive,
		final Path output, final String format, final boolean overwrite, final RestoreOptions options)
	{
		if (inputs.isEmpty()) throw new IllegalArgumentException("No input folder given.");
		if (output == null) throw new IllegalArgumentException("No output folder given.");
		return BatchJob.builder().inputs(inputs).pattern(pattern).recursive(recursive).outputDir(output)
			.format(OutputFormat.parse(format)).overwrite(overwrite).options(options).build();
	}
}
