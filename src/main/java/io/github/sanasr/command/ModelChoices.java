package io.github.sanasr.command;

import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelException;
import io.github.sanasr.model.ModelRegistry;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the dialogs of both hosts offer as choice lists, so that a typo cannot reach the OK button: the models
 * (the default, those {@link ModelRegistry} finds in its folders, those bundled in the plugin's jar, then
 * {@link #OTHER_FOLDER} to pick a model folder) and the prompts of one model. These are offers, not limits: a
 * macro may still name any model or model folder, and the core validates what it gets.
 */
public final class ModelChoices {

	/** The last model choice: picking it asks for a model folder, whose path then becomes the value. */
	public static final String OTHER_FOLDER = "Other model folder...";

	private static final Pattern BUNDLED = Pattern.compile("models/([A-Za-z0-9._-]+)/" + ModelRegistry.DESCRIPTOR);

	private ModelChoices() {}

	/** The model choices with the standard registry. */
	public static List<String> models() {
		return models(new ModelRegistry());
	}

	/** Default model first, then the registry's folders' models, then the bundled ones, then {@link #OTHER_FOLDER}. */
	public static List<String> models(final ModelRegistry registry) {
		final Set<String> names = new LinkedHashSet<>();
		names.add(CommandParameters.DEFAULT_MODEL);
		names.addAll(registry.available());
		names.addAll(bundled());
		names.add(OTHER_FOLDER);
		return List.copyOf(names);
	}

	/**
	 * {@code choices} with {@code value} added before {@link #OTHER_FOLDER} when it is not among them (a folder
	 * picked earlier, or a name a macro gave), so that a dialog still shows what will run.
	 */
	public static List<String> including(final List<String> choices, final String value) {
		if (value == null || value.isBlank() || choices.contains(value)) return choices;
		final List<String> list = new ArrayList<>(choices);
		final int other = list.indexOf(OTHER_FOLDER);
		list.add(other < 0 ? list.size() : other, value);
		return List.copyOf(list);
	}

	/** {@code default} and then the model's own prompts; only {@code default} when the model cannot be read. */
	public static List<String> prompts(final String model) {
		return prompts(new ModelRegistry(), model);
	}

	public static List<String> prompts(final ModelRegistry registry, final String model) {
		final List<String> list = new ArrayList<>();
		list.add(CommandParameters.DEFAULT_PROMPT);
		if (model == null || model.isBlank() || model.equals(OTHER_FOLDER)) return list;
		try {
			final ModelDescriptor d = registry.resolve(model);
			for (final String p : d.prompts())
				if (!list.contains(p)) list.add(p);
		}
		catch (final ModelException | RuntimeException e) {
			// an unknown model offers only the default prompt; running it says what is wrong with the model
		}
		return List.copyOf(list);
	}

	/**
	 * Names of the models bundled as resources {@code /models/NAME/model.json} beside the default one: in the
	 * plugin's jar, or in a classes folder when running from a build.
	 */
	static List<String> bundled() {
		final Set<String> names = new TreeSet<>();
		final URL url = ModelRegistry.class.getClassLoader().getResource("models/" + CommandParameters.DEFAULT_MODEL +
			"/" + ModelRegistry.DESCRIPTOR);
		if (url == null) return List.of();
		try {
			if (url.getProtocol().equals("jar")) {
				final JarURLConnection c = (JarURLConnection) url.openConnection();
				c.setUseCaches(false);
				try (JarFile jar = c.getJarFile()) {
					for (final Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
						final Matcher m = BUNDLED.matcher(e.nextElement().getName());
						if (m.matches()) names.add(m.group(1));
					}
				}
			}
			else if (url.getProtocol().equals("file")) {
				final Path models = Path.of(url.toURI()).getParent().getParent();
				try (Stream<Path> s = Files.list(models)) {
					s.filter(d -> Files.isRegularFile(d.resolve(ModelRegistry.DESCRIPTOR)))
						.forEach(d -> names.add(d.getFileName().toString()));
				}
			}
		}
		catch (final IOException | java.net.URISyntaxException | RuntimeException e) {
			// the default model is still offered; the others can be picked as folders
		}
		return List.copyOf(names);
	}
}
