package io.github.sanasr.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/**
 * Issue 4 item 6, a person-level check of the single-image command: under Xvfb (or a real display) the
 * dialog appears with every parameter labelled, visible and on screen; a person (java.awt.Robot) fills it and
 * clicks OK; the command runs and the result is displayed with the right title and calibration. Screenshots:
 * {@code <build dir>/dialog-screenshots/dialog.png}, {@code result-window.png}, {@code screen.png}. The test
 * itself stays headless (the GUI runs in a child JVM) and is skipped where there is no display and no xvfb-run.
 */
class InteractiveDialogTest {

	private static final Path REPO = Path.of("").toAbsolutePath();
	private static final Path MODELS = REPO.resolve("src/test/resources/models");
	private static final Path MODEL = MODELS.resolve("conv-x4");
	private static final Path IMAGE = REPO.resolve("sample-images/sem.png");

	@Test
	void dialogRunsAndShowsACalibratedResult() throws Exception {
		final boolean display = System.getenv("DISPLAY") != null;
		assumeTrue(display || onPath("xvfb-run"), "no display and no xvfb-run: the interactive dialog check needs one");
		assumeTrue(Files.isDirectory(buildDir().resolve("lib")), "no " + buildDir().resolve("lib") + " (mvn process-classes)");
		assumeTrue(Files.isRegularFile(IMAGE) && Files.isRegularFile(MODEL.resolve("model.json")), "sample or test model missing");
		final Path out = buildDir().resolve("dialog-screenshots");
		for (final String f : new String[] { "dialog.png", "result-window.png", "fidelity-window.png", "screen.png" })
			Files.deleteIfExists(out.resolve(f));

		final List<String> cmd = new ArrayList<>();
		if (!display) cmd.addAll(List.of("xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"));
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.addAll(List.of("-Xmx1g", "-Djava.awt.headless=false", "-Dai.djl.offline=true", "-Dslf4j.internal.verbosity=ERROR",
			"-Dsanasr.models.dir=" + MODELS,
			// fresh preferences: the dialog shows the model remembered from the last run (another test's, else)
			"-Djava.util.prefs.userRoot=" + out.resolve("prefs"),
			"-cp", String.join(File.pathSeparator, buildDir().resolve("test-classes").toString(),
				buildDir().resolve("classes").toString(), buildDir().resolve("lib") + File.separator + "*"),
			DialogHarness.class.getName(), IMAGE.toString(), "conv-x4", out.toString()));
		Files.createDirectories(out);
		final Path log = out.resolve("harness.log");
		final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		if (!p.waitFor(150, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("the dialog session did not finish in 150 s:\n" + Files.readString(log));
		}
		final String o = Files.readString(log, StandardCharsets.UTF_8);
		assertEquals(0, p.exitValue(), o);

		// a usable dialog: titled, on screen, every parameter labelled and visible, OK enabled
		assertTrue(o.contains("DIALOG title=Super-resolve (SANA-SR) ") && o.contains("on_screen=true"), o);
		for (final String label : new String[] { "Image", "Model (name or folder)", "Scale", "Tile size (input pixels)",
			"Device", "Precision", "Content prompt", "Low percentile", "High percentile" })
			assertTrue(o.contains("FIELD " + label + " visible=true"), label + "\n" + o);
		for (final String box : new String[] { "Fidelity map", "Consistency with the input", "32-bit output" })
			assertTrue(o.contains("CHECKBOX " + box + " visible=true"), box + "\n" + o);
		assertTrue(o.matches("(?s).*BUTTON\\s+OK\\s+enabled=true visible=true.*"), o);
		// choices, not free text: the default and the installed models, then a way to pick a folder; the
		// default model's own prompts
		assertTrue(o.contains("MODEL_CHOICES [sana-sr-compact-x4, ") && o.contains("conv-x4") &&
			o.contains("Other model folder...]"), o);
		assertTrue(o.contains("PROMPT_CHOICES [default, generic, photo, fluorescence, brightfield, histology, electron, " +
			"astro, realistic, faithful]"), o);
		// choices, not free text: the default and the installed models, then a way to pick a folder; the
		// default model's own prompts
		assertTrue(o.contains("MODEL_CHOICES [sana-sr-compact-x4, ") && o.contains("conv-x4") &&
			o.contains("Other model folder...]"), o);
		assertTrue(o.contains("PROMPT_CHOICES [default, generic, photo, fluorescence, brightfield, histology, electron, " +
			"astro, realistic, faithful]"), o);

		// it ran and displayed the result: title, 4x size, pixel size divided by 4 in the input's unit, provenance
		final double px = DialogHarness.PIXEL_NM / 4;
		assertTrue(o.contains("RESULT title=sem-SANA-SR-x4 size=1024x1024 bitdepth=8 pixel_width=" + px + " pixel_height=" +
			px + " unit=nm window=sem-SANA-SR-x4"), o);
		assertTrue(o.matches("(?s).*RESULT title=sem-SANA-SR-x4 .* info=true.*"), o);
		assertTrue(o.contains("RESULT title=sem-SANA-SR-x4-fidelity "), "the ticked fidelity map is shown too\n" + o);
		assertTrue(o.contains("DONE"), o);

		// the screenshots show something (not a blank capture)
		assertTrue(notBlank(out.resolve("dialog.png")), "dialog screenshot looks blank");
		assertTrue(notBlank(out.resolve("result-window.png")), "result screenshot looks blank");
	}

	/** At least three colours, and no single colour covering 95% of the capture (AWT text is not antialiased). */
	private static boolean notBlank(final Path png) throws Exception {
		final BufferedImage img = ImageIO.read(png.toFile());
		final Map<Integer, Integer> counts = new HashMap<>();
		for (int y = 0; y < img.getHeight(); y++)
			for (int x = 0; x < img.getWidth(); x++)
				counts.merge(img.getRGB(x, y), 1, Integer::sum);
		final int most = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
		return counts.size() >= 3 && most < 0.95 * img.getWidth() * img.getHeight();
	}

	private static boolean onPath(final String program) {
		for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
			if (Files.isExecutable(Path.of(dir, program))) return true;
		return false;
	}

	private static Path buildDir() {
		try {
			return Path.of(InteractiveDialogTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
		}
		catch (final URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}
}
