package io.github.sanasr.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real ImageJ 1.x application, not a harness: Debian's {@code /usr/bin/imagej} launcher (ImageJ 1.53t,
 * {@code /usr/share/java/ij.jar}) with a private {@code HOME}, so that its plugins folder
 * ({@code $HOME/.imagej/plugins}, the launcher's {@code -ijpath $HOME/.imagej}) holds only what
 * {@code scripts/install-imagej1.sh} put there. ImageJ 1.53t builds its menus even with {@code -batch}, so
 * it always runs under Xvfb ({@code xvfb-run -a}).
 */
final class ImageJ1App {

	static final Path REPO = Path.of("").toAbsolutePath();
	static final Path LAUNCHER = Path.of("/usr/bin/imagej");
	static final Path INSTALL = REPO.resolve("scripts/install-imagej1.sh");
	static final Path SAMPLES = REPO.resolve("sample-images");
	static final Path CONV_MODEL = REPO.resolve("src/test/resources/models/conv-x4");

	record Result(int exit, String output) {

		String describe() {
			return "exit " + exit + ", output:\n" + output;
		}
	}

	private ImageJ1App() {}

	static void assumeAvailable() {
		assumeTrue(Files.isExecutable(LAUNCHER), "Debian's ImageJ 1.x is not installed (apt-get install imagej; .ci/run does)");
		assumeTrue(onPath("xvfb-run"), "xvfb-run is missing (apt-get install xvfb xauth; .ci/run does)");
		assumeTrue(Files.isDirectory(buildDir().resolve("lib")), "no " + buildDir().resolve("lib") + " (mvn process-classes)");
	}

	/** Runs the README's install command into {@code home}/.imagej/plugins, from the compiled classes. */
	static Path install(final Path home) throws IOException, InterruptedException {
		final Path plugins = home.resolve(".imagej/plugins");
		final ProcessBuilder pb = new ProcessBuilder(INSTALL.toString(), plugins.toString());
		pb.environment().put("SANASR_BUILD_DIR", buildDir().toString());
		pb.environment().put("SANASR_USE_CLASSES", "1"); // the tests run before packaging
		final Result r = run(pb, home, 120);
		assertEquals(0, r.exit, r.describe());
		return plugins.resolve("SANA-SR");
	}

	/** {@code xvfb-run -a imagej ARGS} with HOME={@code home}; fails (never hangs) after {@code timeoutS}. */
	static Result imagej(final Path home, final int timeoutS, final String... args) throws IOException,
		InterruptedException
	{
		final List<String> cmd = new ArrayList<>(List.of("xvfb-run", "-a", "-s", "-screen 0 1280x1024x24",
			LAUNCHER.toString()));
		cmd.addAll(List.of(args));
		return run(new ProcessBuilder(cmd), home, timeoutS);
	}

	/** A macro file run by {@code imagej -b} (ImageJ's -batch mode). */
	static Result batch(final Path home, final String macro, final int timeoutS) throws IOException,
		InterruptedException
	{
		final Path file = Files.createTempFile(home, "macro", ".ijm");
		Files.writeString(file, macro);
		return imagej(home, timeoutS, "-b", file.toString());
	}

	private static Result run(final ProcessBuilder pb, final Path home, final int timeoutS) throws IOException,
		InterruptedException
	{
		final Path out = Files.createTempFile("imagej1-out", ".txt");
		pb.environment().put("HOME", home.toString());
		pb.directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
		final Process p = pb.start();
		if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
			throw new AssertionError("did not finish in " + timeoutS + " s: " + pb.command() + "\n" + Files.readString(out));
		}
		final Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
		Files.delete(out);
		return r;
	}

	/** Every file under {@code dir} with its size and modification time: to show nothing was written there. */
	static TreeMap<String, String> tree(final Path dir) throws IOException {
		final TreeMap<String, String> map = new TreeMap<>();
		try (Stream<Path> s = Files.walk(dir)) {
			for (final Path p : (Iterable<Path>) s::iterator)
				map.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir" : Files.size(p) + " " +
					Files.getLastModifiedTime(p));
		}
		return map;
	}

	static String sha256(final Path file) throws IOException {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
		}
		catch (final NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	static Path buildDir() {
		try {
			return Path.of(ImageJ1App.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
		}
		catch (final URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	private static boolean onPath(final String program) {
		for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (Files.isExecutable(Path.of(dir, program))) return true;
		}
		return false;
	}

	/** A macro string literal. */
	static String q(final Object o) {
		return "\"" + o.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}
}
