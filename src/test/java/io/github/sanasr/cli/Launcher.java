package io.github.sanasr.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the repository's ./sana-sr as a subprocess against the classes and lib/ of the current build. */
final class Launcher {

	record Result(int exitCode, String stdout, String stderr) {

		List<String> stderrLines() {
			return stderr.lines().filter(l -> !l.isBlank()).toList();
		}
	}

	static final Path REPO = Path.of("").toAbsolutePath();
	static final Path SCRIPT = REPO.resolve("sana-sr");
	static final Path CONV_MODEL = REPO.resolve("src/test/resources/models/conv-x4");

	private Launcher() {}

	/** target/ or whatever -DbuildDir this build uses: the parent of the test classes. */
	static Path buildDir() {
		try {
			return Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
		}
		catch (final URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	static void assumeRunnable() {
		assumeTrue(Files.isExecutable(SCRIPT), "the launcher " + SCRIPT + " is missing or not executable");
		assumeTrue(Files.isDirectory(buildDir().resolve("lib")),
			"no " + buildDir().resolve("lib") + ": build with mvn (process-classes copies the launcher's jars)");
	}

	static void assumeTestModel() {
		assumeTrue(Files.isRegularFile(CONV_MODEL.resolve("model.json")), "test model " + CONV_MODEL + " is missing");
	}

	static ProcessBuilder builder(final Path workDir, final List<String> args) {
		final List<String> cmd = new ArrayList<>();
		cmd.add(SCRIPT.toString());
		cmd.addAll(args);
		final ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
		pb.environment().put("SANASR_BUILD_DIR", buildDir().toString());
		// the tests run before packaging: use the compiled classes, not a possibly stale jar
		pb.environment().put("SANASR_USE_CLASSES", "1");
		pb.environment().put("SANASR_JAVA_OPTS", "-Xmx1g -XX:TieredStopAtLevel=1");
		return pb;
	}

	static Result run(final Path workDir, final String... args) throws IOException, InterruptedException {
		final Path out = Files.createTempFile("sanasr-out", ".txt");
		final Path err = Files.createTempFile("sanasr-err", ".txt");
		final Process p = builder(workDir, List.of(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		if (!p.waitFor(120, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("sana-sr did not finish in 120 s: " + String.join(" ", args));
		}
		final Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
			Files.readString(err, StandardCharsets.UTF_8));
		Files.delete(out);
		Files.delete(err);
		return r;
	}
}
