package io.github.sanasr.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install-imagej1.sh (no ImageJ needed): what lands in the plugins folder, what stays out, that a
 * reinstall replaces the folder, that it refuses a Fiji, and that the jar Fiji gets carries no plugins.config
 * (so Fiji shows only the SciJava commands, never a second set of ImageJ 1.x entries).
 */
class InstallScriptTest {

	@TempDir
	Path tmp;

	@Test
	void installsPluginRuntimeJarsAndModelsButNotImageJ() throws Exception {
		assumeTrue(Files.isDirectory(ImageJ1App.buildDir().resolve("lib")), "no target/lib (mvn process-classes)");
		final Path dir = ImageJ1App.install(tmp);
		final List<String> names;
		try (Stream<Path> s = Files.list(dir)) {
			names = s.map(p -> p.getFileName().toString()).sorted().toList();
		}
		assertTrue(names.contains("SANA-SR_.jar"), names.toString());
		assertTrue(names.stream().anyMatch(n -> n.startsWith("pytorch-engine-")), names.toString());
		assertTrue(names.stream().anyMatch(n -> n.startsWith("pytorch-native-cpu-")), names.toString());
		assertTrue(names.stream().anyMatch(n -> n.startsWith("imglib2-")), "the core uses ImgLib2, which ImageJ 1.x lacks");
		assertFalse(names.stream().anyMatch(n -> n.startsWith("ij-") || n.startsWith("scijava-common") ||
			n.startsWith("parsington")), "jars ImageJ ships, or only Fiji's commands need: " + names);
		assertEquals(1, names.stream().filter(n -> n.contains("_")).count(), "only the plugin jar may have a '_': " + names);
		assertTrue(Files.isRegularFile(dir.resolve("models/sana-sr-compact-x4/model.json")));
		try (JarFile jar = new JarFile(dir.resolve("SANA-SR_.jar").toFile())) {
			assertNotNull(jar.getEntry("io/github/sanasr/ij1/SuperResolvePlugin.class"));
			assertNotNull(jar.getEntry("io/github/sanasr/core/Restorer.class"));
			assertEquals(null, jar.getEntry("models/sana-sr-compact-x4/model.json"), "models travel beside the jar");
			final String config = new String(jar.getInputStream(jar.getEntry("plugins.config")).readAllBytes(),
				StandardCharsets.UTF_8);
			assertTrue(config.contains("Plugins>SANA-SR, \"Super-resolve (SANA-SR)\", io.github.sanasr.ij1.SuperResolvePlugin"), config);
			assertTrue(config.contains("Plugins>SANA-SR, \"Super-resolve folder (SANA-SR)\", io.github.sanasr.ij1.SuperResolveFolderPlugin"), config);
		}
		// a reinstall replaces the whole folder
		Files.writeString(dir.resolve("stale.jar"), "old");
		ImageJ1App.install(tmp);
		assertFalse(Files.exists(dir.resolve("stale.jar")));
		try (Stream<Path> s = Files.list(dir.getParent())) {
			assertEquals(List.of("SANA-SR"), s.map(p -> p.getFileName().toString()).toList(), "no staging folder left");
		}
	}

	@Test
	void installsFromThePackagedJarToo() throws Exception {
		assumeTrue(Files.isDirectory(ImageJ1App.buildDir().resolve("lib")), "no target/lib (mvn process-classes)");
		// a build folder as `mvn package` leaves it: the plugin jar (with the models and a manifest) and lib/
		final Path build = Files.createDirectories(tmp.resolve("build"));
		Files.createSymbolicLink(build.resolve("lib"), ImageJ1App.buildDir().resolve("lib"));
		final Path classes = ImageJ1App.buildDir().resolve("classes");
		final java.util.jar.Manifest mf = new java.util.jar.Manifest();
		mf.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
		try (java.util.jar.JarOutputStream j = new java.util.jar.JarOutputStream(Files.newOutputStream(build.resolve(
			"sana-sr-fiji-9.9.9.jar")), mf); Stream<Path> s = Files.walk(classes))
		{
			for (final Path f : s.filter(Files::isRegularFile).toList()) {
				j.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString()));
				Files.copy(f, j);
				j.closeEntry();
			}
		}
		final Path plugins = tmp.resolve("ImageJ.app/plugins");
		final ProcessBuilder pb = new ProcessBuilder(ImageJ1App.INSTALL.toString(), plugins.toString());
		pb.environment().put("SANASR_BUILD_DIR", build.toString());
		pb.environment().remove("SANASR_USE_CLASSES");
		final Process p = pb.redirectErrorStream(true).start();
		final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertEquals(0, p.waitFor(), out);
		try (JarFile jar = new JarFile(plugins.resolve("SANA-SR/SANA-SR_.jar").toFile())) {
			assertNotNull(jar.getEntry("plugins.config"));
			assertNotNull(jar.getEntry("io/github/sanasr/ij1/SuperResolveFolderPlugin.class"));
			assertEquals(null, jar.getEntry("models/sana-sr-compact-x4/model.json"));
		}
		assertTrue(Files.isRegularFile(plugins.resolve("SANA-SR/models/sana-sr-compact-x4/model.json")));
	}

	@Test
	void refusesFijiAndFijisJarHasNoImageJ1MenuEntries() throws Exception {
		assumeTrue(Files.isDirectory(ImageJ1App.buildDir().resolve("lib")), "no target/lib (mvn process-classes)");
		final Path fiji = tmp.resolve("Fiji.app");
		Files.createDirectories(fiji.resolve("jars"));
		Files.createDirectories(fiji.resolve("plugins"));
		Files.writeString(fiji.resolve("jars/imagej-legacy-2.0.0.jar"), "");
		final ProcessBuilder pb = new ProcessBuilder(ImageJ1App.INSTALL.toString(), fiji.resolve("plugins").toString());
		pb.environment().put("SANASR_BUILD_DIR", ImageJ1App.buildDir().toString());
		pb.environment().put("SANASR_USE_CLASSES", "1");
		final Process p = pb.redirectErrorStream(true).start();
		final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertEquals(2, p.waitFor(), out);
		assertTrue(out.contains("belongs to Fiji") && out.contains("-Dscijava.app.directory="), out);
		try (Stream<Path> s = Files.list(fiji.resolve("plugins"))) {
			assertEquals(0, s.count(), "nothing written into Fiji");
		}
		// what goes into Fiji.app/jars is built from target/classes: no plugins.config there, only SciJava's index
		final Path classes = ImageJ1App.buildDir().resolve("classes");
		assertFalse(Files.exists(classes.resolve("plugins.config")), "Fiji's jar must not carry ImageJ 1.x menu entries");
		final String index = Files.readString(classes.resolve("META-INF/json/org.scijava.plugin.Plugin"));
		assertTrue(index.contains("io.github.sanasr.command.SuperResolveCommand") &&
			index.contains("io.github.sanasr.command.SuperResolveFolderCommand"), index);
	}
}
