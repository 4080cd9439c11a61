package io.github.sanasr.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds a model by name or path. A path (a model folder or its model.json) is used as given. A name is looked
 * up as {@code <root>/<name>/model.json} in these roots, first match wins:
 * <ol>
 * <li>system property {@code sanasr.models.dir}</li>
 * <li>environment variable {@code SANASR_MODELS}</li>
 * <li>the user's own (adapted) models: {@link #userModelsDir()}</li>
 * <li>{@code models/} in the working directory</li>
 * <li>Fiji's {@code <app>/models/sana-sr/} ({@code scijava.app.directory}, {@code imagej.dir} or {@code ij.dir})</li>
 * <li>{@code models/} in the folder of the plugin's jar (where {@code scripts/install-imagej1.sh} puts them in
 * an ImageJ 1.x plugins folder)</li>
 * <li>a model bundled in a jar as resources under {@code /models/<name>/}, extracted once into a cache folder
 * named by its SHA-256 ({@code sanasr.cache.dir}, default {@code ~/.cache/sana-sr/models})</li>
 * </ol>
 */
public final class ModelRegistry {

	public static final String MODELS_DIR_PROPERTY = "sanasr.models.dir";
	public static final String MODELS_DIR_ENV = "SANASR_MODELS";
	public static final String CACHE_DIR_PROPERTY = "sanasr.cache.dir";
	/** Where adapted models go and are found (overrides the default of {@link #userModelsDir()}). */
	public static final String USER_MODELS_DIR_PROPERTY = "sanasr.user.models.dir";
	public static final String DESCRIPTOR = "model.json";

	private final List<Path> roots;
	private final ClassLoader resources;

	/** The standard search roots and this class's class loader for bundled models. */
	public ModelRegistry() {
		this(defaultRoots(), ModelRegistry.class.getClassLoader());
	}

	public ModelRegistry(final List<Path> roots, final ClassLoader resources) {
		this.roots = List.copyOf(roots);
		this.resources = resources;
	}

	public static List<Path> defaultRoots() {
		final List<Path> list = new ArrayList<>();
		addIfSet(list, System.getProperty(MODELS_DIR_PROPERTY));
		addIfSet(list, System.getenv(MODELS_DIR_ENV));
		list.add(userModelsDir());
		list.add(Paths.get("models").toAbsolutePath());
		for (final String p : new String[] { "scijava.app.directory", "imagej.dir", "ij.dir" }) {
			final String app = System.getProperty(p);
			if (app != null && !app.isBlank()) list.add(Paths.get(app, "models", "sana-sr"));
		}
		final Path besideJar = besideJar();
		if (besideJar != null) list.add(besideJar);
		return list;
	}

	/**
	 * The folder of the user's own models (what "Adapt model to my images" writes): system property
	 * {@code sanasr.user.models.dir}; else inside Fiji {@code <app>/models/sana-sr} (the app folder from
	 * {@code scijava.app.directory}, {@code imagej.dir} or {@code ij.dir}, when it is writable); else
	 * {@code ~/.sana-sr/models}.
	 */
	public static Path userModelsDir() {
		final String p = System.getProperty(USER_MODELS_DIR_PROPERTY);
		if (p != null && !p.isBlank()) return Paths.get(p).toAbsolutePath();
		for (final String key : new String[] { "scijava.app.directory", "imagej.dir", "ij.dir" }) {
			final String app = System.getProperty(key);
			if (app == null || app.isBlank()) continue;
			// a system-wide install (read-only for the user) keeps its models; the user's go to their home
			final Path dir = Paths.get(app, "models", "sana-sr");
			if (Files.isDirectory(dir) ? Files.isWritable(dir) : Files.isDirectory(Paths.get(app)) && Files.isWritable(
				Paths.get(app))) return dir;
		}
		return Paths.get(System.getProperty("user.home"), ".sana-sr", "models");
	}

	/** {@code <folder of the jar holding this class>/models}, or null when running from a classes folder. */
	static Path besideJar() {
		try {
			final java.security.CodeSource cs = ModelRegistry.class.getProtectionDomain().getCodeSource();
			if (cs == null || cs.getLocation() == null) return null;
			final Path jar = Paths.get(cs.getLocation().toURI());
			return Files.isRegularFile(jar) && jar.getParent() != null ? jar.getParent().resolve("models") : null;
		}
		catch (final java.net.URISyntaxException | RuntimeException e) {
			return null;
		}
	}

	public List<Path> roots() {
		return roots;
	}

	/** Resolves a shipped name, a model folder or a model.json path into a validated descriptor. */
	public ModelDescriptor resolve(final String nameOrPath) throws ModelException {
		if (nameOrPath == null || nameOrPath.isBlank()) throw new ModelException("No model given");
		final String spec = nameOrPath.trim();
		final Path p;
		try {
			p = Paths.get(spec);
		}
		catch (final InvalidPathException e) {
			throw new ModelException("'" + spec + "' is neither a model name nor a valid path: " + e.getMessage());
		}
		if (isPathLike(spec)) {
			if (Files.isDirectory(p)) return ModelDescriptor.read(p.resolve(DESCRIPTOR));
			if (Files.isRegularFile(p)) return ModelDescriptor.read(p);
			throw new ModelException("Model folder or descriptor not found: " + p.toAbsolutePath());
		}
		// a bare word may also be a model folder in the working directory
		if (Files.isRegularFile(p.resolve(DESCRIPTOR))) return ModelDescriptor.read(p.resolve(DESCRIPTOR));
		for (final Path root : roots) {
			final Path d = root.resolve(spec).resolve(DESCRIPTOR);
			if (Files.isRegularFile(d)) return ModelDescriptor.read(d);
		}
		final ModelDescriptor bundled = extractBundled(spec);
		if (bundled != null) return bundled;
		throw new ModelException("No model named '" + spec + "'. Known models: " + available() +
			". Looked in " + roots + " and in the plugin's bundled models; or give the path of a model folder.");
	}

	/** Names of the models found in the roots (bundled ones are not listable from a jar without an index). */
	public List<String> available() {
		final Set<String> names = new LinkedHashSet<>();
		for (final Path root : roots) {
			if (!Files.isDirectory(root)) continue;
			try (Stream<Path> s = Files.list(root)) {
				s.filter(d -> Files.isRegularFile(d.resolve(DESCRIPTOR))).map(d -> d.getFileName().toString()).sorted()
					.forEach(names::add);
			}
			catch (final IOException e) {
				// an unreadable root holds no models we could use
			}
		}
		return Collections.unmodifiableList(new ArrayList<>(names));
	}

	private static boolean isPathLike(final String spec) {
		return spec.contains("/") || spec.contains("\\") || spec.endsWith(".json");
	}

	private static void addIfSet(final List<Path> list, final String dir) {
		if (dir != null && !dir.isBlank()) list.add(Paths.get(dir));
	}

	/**
	 * A model bundled as jar resources /models/name/model.json + its file: copied to a cache folder named by
	 * the SHA-256, because libtorch loads from a file. The copy goes to a temporary name first and is renamed,
	 * so two Fiji instances never see a half-written model.
	 */
	private ModelDescriptor extractBundled(final String name) throws ModelException {
		if (!name.matches("[A-Za-z0-9._-]+")) return null;
		final String base = "models/" + name + "/";
		try (InputStream json = resources.getResourceAsStream(base + DESCRIPTOR)) {
			if (json == null) return null;
			final Path tmp = Files.createTempFile("sanasr-", ".json");
			Files.copy(json, tmp, StandardCopyOption.REPLACE_EXISTING);
			final ModelDescriptor probe;
			try {
				probe = ModelDescriptor.read(tmp);
			}
			finally {
				Files.deleteIfExists(tmp);
			}
			final Path folder = cacheDir().resolve(probe.sha256().substring(0, 16)).resolve(name);
			final Path descriptor = folder.resolve(DESCRIPTOR);
			final String adaptable = adaptableFile(probe);
			if (!Files.isRegularFile(descriptor) || !Files.isRegularFile(folder.resolve(probe.fileName())) ||
				(adaptable != null && !Files.isRegularFile(folder.resolve(adaptable))))
			{
				Files.createDirectories(folder);
				for (final String f : new String[] { probe.fileName(), adaptable, "LICENSE.md", DESCRIPTOR }) {
					if (f == null) continue;
					try (InputStream in = resources.getResourceAsStream(base + f)) {
						if (in == null) continue;
						final Path part = Files.createTempFile(folder, f, ".part");
						Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
						move(part, folder.resolve(f));
					}
				}
			}
			return ModelDescriptor.read(descriptor);
		}
		catch (final IOException e) {
			throw new ModelException("Cannot extract the bundled model '" + name + "' into " + cacheDir() + ": " +
				e.getMessage(), e);
		}
	}

	/** The adaptable form's file named by a descriptor (issue 16), or null. */
	private static String adaptableFile(final ModelDescriptor d) {
		final com.google.gson.JsonElement a = d.json().get("adaptable");
		if (a == null || !a.isJsonObject() || !a.getAsJsonObject().has("file")) return null;
		final String f = a.getAsJsonObject().get("file").getAsString();
		return f.matches("[A-Za-z0-9._-]+") ? f : null;
	}

	private static void move(final Path from, final Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (final AtomicMoveNotSupportedException e) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	static Path cacheDir() {
		final String p = System.getProperty(CACHE_DIR_PROPERTY);
		if (p != null && !p.isBlank()) return Paths.get(p);
		return Paths.get(System.getProperty("user.home"), ".cache", "sana-sr", "models");
	}
}
