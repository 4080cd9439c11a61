package io.github.sanasr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import io.github.sanasr.adapt.ModelAdapterTestImages;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./sana-sr adapt} then {@code ./sana-sr --model NAME} end to end on a tiny image, with the tiny test
 * model as the base; and a run stopped as Ctrl-C stops it (SIGTERM: the same shutdown path) leaves no folder.
 */
class AdaptCliTest {

	static final Path TINY = Launcher.REPO.resolve("src/test/resources/models/sana-sr-tiny-trunk-x4");

	@TempDir
	Path tmp;

	@BeforeAll
	static void runnable() {
		Launcher.assumeRunnable();
	}

	private Path image(final String name, final int w, final int h) {
		final ImagePlus imp = ModelAdapterTestImages.specimen(w, h, 5);
		final Path p = tmp.resolve(name);
		new FileSaver(imp).saveAsTiff(p.toString());
		return p;
	}

	private static Launcher.Result run(final Path dir, final Path models, final String... args) throws Exception {
		final ProcessBuilder pb = Launcher.builder(dir, List.of(args));
		pb.environment().put("SANASR_MODELS", models.toString());
		final Path out = Files.createTempFile("sanasr-out", ".txt"), err = Files.createTempFile("sanasr-err", ".txt");
		final Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		if (!p.waitFor(600, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("sana-sr did not finish in 600 s: " + String.join(" ", args));
		}
		return new Launcher.Result(p.exitValue(), Files.readString(out), Files.readString(err));
	}

	@Test
	void adaptThenRestoreWithTheNewModelByName() throws Exception {
		final Path in = image("cells.tif", 256, 384);
		final Path models = tmp.resolve("models");
		final Launcher.Result a = run(tmp, models, "adapt", in.toString(), "--name", "tiny-cli", "--base", TINY.toString(),
			"--models-dir", models.toString(), "--steps", "20", "--minutes", "9", "--learning-rate", "0.005");
		assertEquals(0, a.exitCode(), a.stdout() + a.stderr());
		assertTrue(a.stdout().contains("wrote " + models.resolve("tiny-cli")), a.stdout());
		assertTrue(Files.isRegularFile(models.resolve("tiny-cli/model.json")));

		final Launcher.Result again = run(tmp, models, "adapt", in.toString(), "--name", "tiny-cli", "--base",
			TINY.toString(), "--models-dir", models.toString(), "--steps", "2");
		assertEquals(2, again.exitCode());
		assertTrue(again.stderr().contains("already exists") && again.stderr().contains("--overwrite"), again.stderr());

		final Path small = image("small.tif", 100, 100);
		final Launcher.Result tooSmall = run(tmp, models, "adapt", small.toString(), "--name", "x", "--base",
			TINY.toString(), "--models-dir", models.toString());
		assertEquals(2, tooSmall.exitCode());
		assertTrue(tooSmall.stderr().contains("too small"), tooSmall.stderr());

		final Path out = tmp.resolve("out");
		final Launcher.Result r = run(tmp, models, in.toString(), "--model", "tiny-cli", "--output", out.toString());
		assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
		final String sidecar = Files.readString(out.resolve("cells-SANA-SR-x4.sanasr.json"), StandardCharsets.UTF_8);
		assertTrue(sidecar.contains("\"model_name\": \"tiny-cli\""), sidecar);
		final ImagePlus restored = IJ.openImage(out.resolve("cells-SANA-SR-x4.tif").toString());
		assertEquals(4 * 256, restored.getWidth());
	}

	@Test
	void stoppedRunLeavesNoModelFolder() throws Exception {
		final Path in = image("cells.tif", 384, 384);
		final Path models = tmp.resolve("models");
		final ProcessBuilder pb = Launcher.builder(tmp, List.of("adapt", in.toString(), "--name", "stopped", "--base",
			TINY.toString(), "--models-dir", models.toString(), "--minutes", "10")).redirectErrorStream(true);
		final Process p = pb.start();
		final List<String> lines = new ArrayList<>();
		try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line; (line = r.readLine()) != null;) {
				lines.add(line);
				if (line.contains("held-out PSNR of the base model")) break; // training is under way
			}
			// SIGTERM: the JVM's shutdown hook cancels the run, as on Ctrl-C (Process.destroy closes our end of
			// its output, so nothing more is read)
			p.destroy();
			assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not stop");
		}
		assertTrue(lines.stream().anyMatch(l -> l.contains("held-out PSNR of the base model")), String.join("\n", lines));
		final List<String> left = new ArrayList<>();
		if (Files.isDirectory(models)) try (Stream<Path> s = Files.list(models)) {
			s.forEach(x -> left.add(x.getFileName().toString()));
		}
		assertEquals(List.of(), left, "the stopped run left " + left + "\n" + String.join("\n", lines));
	}
}
