package io.github.sanasr.command;

import io.github.sanasr.adapt.AdaptOptions;
import io.github.sanasr.adapt.Degradation;
import io.github.sanasr.command.CommandParameters.Kind;
import io.github.sanasr.command.CommandParameters.Spec;
import io.github.sanasr.core.RestoreOptions;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The parameters of "Adapt model to my images", defined once for every host: the SciJava command, the
 * ImageJ 1.x plugin (dialog and macro keys from {@link #SPECS}) and the command line
 * ({@code sana-sr adapt}, whose defaults are these). A parameter's name is the SciJava field name and the
 * macro key. Validation is shared: every host builds its options through {@link #options}.
 */
public final class AdaptParameters {

	private AdaptParameters() {}

	public static final String COMMAND = "Adapt model to my images";

	public static final String IMAGES = "images", NAME = "name", BASE = "base", MINUTES = "minutes",
		DEGRADATION = "degradation", NOISE = "noise", MODELS_DIR = "models_dir", OVERWRITE = "overwrite";

	public static final String DEFAULT_BASE = RestoreOptions.DEFAULT_MODEL;
	public static final double DEFAULT_MINUTES = AdaptOptions.DEFAULT_MINUTES, MINUTES_MIN = 0.1, MINUTES_MAX = 1440;
	public static final String DEGRADATION_BINNING = "binning", DEGRADATION_BICUBIC = "bicubic",
		DEFAULT_DEGRADATION = DEGRADATION_BINNING;
	public static final String NOISE_AUTO = "auto", NOISE_NONE = "none", DEFAULT_NOISE = NOISE_NONE;
	public static final String MODELS_DIR_HELP_DEFAULT = "~/.sana-sr/models; inside Fiji Fiji.app/models/sana-sr";

	public static final String IMAGES_HELP = "Image files or folders separated by ';' (empty: the active image)";
	public static final String NAME_HELP = "The new model's name; every SANA-SR command then finds it by this name";
	public static final String BASE_HELP = "The model to adapt (a name, or a model folder)";
	public static final String MINUTES_HELP = "Time budget; it stops earlier when held-out patches stop improving";
	public static final String DEGRADATION_HELP =
		"How model inputs are made from your images: binning (area mean, as a camera bins) or bicubic";
	public static final String NOISE_HELP = "auto: add Poisson-Gaussian noise estimated from your images to the inputs";
	public static final String MODELS_DIR_HELP = "Where the model goes (empty: " + MODELS_DIR_HELP_DEFAULT + ")";

	/** In dialog order. */
	public static final List<Spec> SPECS = List.of(
		Spec.of(IMAGES, "files or folders, ';'-separated; empty = active image", Kind.STRING, "", IMAGES_HELP),
		Spec.of(NAME, "of the new model", Kind.STRING, "my-microscope", NAME_HELP),
		Spec.of(BASE, "model to adapt", Kind.STRING, DEFAULT_BASE, BASE_HELP),
		Spec.of(MINUTES, "time budget", Kind.DOUBLE, DEFAULT_MINUTES, MINUTES_HELP).range(MINUTES_MIN, MINUTES_MAX),
		Spec.of(DEGRADATION, null, Kind.CHOICE, DEFAULT_DEGRADATION, DEGRADATION_HELP).choices(DEGRADATION_BINNING,
			DEGRADATION_BICUBIC),
		Spec.of(NOISE, null, Kind.CHOICE, DEFAULT_NOISE, NOISE_HELP).choices(NOISE_AUTO, NOISE_NONE),
		Spec.of(MODELS_DIR, "empty = default", Kind.STRING, "", MODELS_DIR_HELP),
		Spec.of(OVERWRITE, "an existing model", Kind.BOOLEAN, false, null));

	/** The one validation of the adaptation parameters, for every host. Blank base / models dir: the defaults. */
	public static AdaptOptions options(final String name, final String base, final double minutes,
		final String degradation, final String noise, final String modelsDir, final boolean overwrite)
	{
		if (name == null || name.isBlank()) throw new IllegalArgumentException("No name given for the new model.");
		if (!(minutes >= MINUTES_MIN && minutes <= MINUTES_MAX)) throw new IllegalArgumentException("minutes must be from " +
			MINUTES_MIN + " to " + (long) MINUTES_MAX + ", not " + minutes);
		final String n = noise == null ? DEFAULT_NOISE : noise.trim().toLowerCase(Locale.ROOT);
		if (!n.equals(NOISE_AUTO) && !n.equals(NOISE_NONE)) throw new IllegalArgumentException("noise must be auto or none, not '" +
			noise + "'");
		final Path dir = modelsDir == null || modelsDir.isBlank() ? null : Paths.get(modelsDir.trim());
		return AdaptOptions.of(name.trim()).withBase(base == null || base.isBlank() ? DEFAULT_BASE : base.trim())
			.withMinutes(minutes).withDegradation(Degradation.parse(degradation == null ? DEFAULT_DEGRADATION : degradation),
				n.equals(NOISE_AUTO)).withModelsDir(dir, overwrite);
	}

	/** The {@code images} parameter split into paths (empty list: use the active image). */
	public static List<Path> imagePaths(final String images) {
		final List<Path> list = new ArrayList<>();
		if (images != null) for (final String s : images.split(";"))
			if (!s.isBlank()) list.add(Paths.get(s.trim()));
		return list;
	}
}
