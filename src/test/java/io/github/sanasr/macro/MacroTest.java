package io.github.sanasr.macro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.IJ;
import ij.ImagePlus;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped macros in the real ImageJ 1.x macro interpreter: {@code ij.ImageJ -batch}, as Fiji runs
 * macros, under Xvfb when it is installed (headless otherwise), with the test bridge standing in for
 * imagej-legacy. Real sample images, the small convolutional test model.
 */
class MacroTest {

	private static final Path REPO = Path.of("").toAbsolutePath();
	private static final Path MACROS = REPO.resolve("macros");
	private static final Path SAMPLES = REPO.resolve("sample-images");
	private static final Path MODEL = REPO.resolve("src/test/resources/models/conv-x4");

	@TempDir
	Path tmp;

	@BeforeEach
	void assumptions() {
		assumeTrue(Files.isRegularFile(MODEL.resolve("model.json")), "test model " + MODEL + " is missing");
		assumeTrue(Files.isDirectory(buildDir().resolve("lib")), "no " + buildDir().resolve("lib") + " (mvn process-classes)");
	}

	@Test
	void activeImageAllOpenImagesAndFolderMacros() throws Exception {
		final Path folderIn = Files.createDirectories(tmp.resolve("folder-in"));
		Files.copy(SAMPLES.resolve("camera-lowres.png"), folderIn.resolve("camera-lowres.png"));
		Files.copy(SAMPLES.resolve("sem.png"), folderIn.resolve("sem.png"));
		Files.writeString(folderIn.resolve("readme.txt"), "not an image");
		final String model = "model=[" + MODEL + "]";
		final String wrapper = String.join("\n",
			"open('" + SAMPLES.resolve("camera-lowres.png") + "');",
			"runMacro('" + MACROS.resolve("sanasr_restore_active_image.ijm") + "', '" + model + " scale=4 fidelity_map=true');",
			"print('ACTIVE ' + getTitle() + ' ' + getWidth() + 'x' + getHeight() + ' images=' + nImages);",
			"print('PROVENANCE ' + (indexOf(getMetadata('Info'), 'model_sha256') >= 0));",
			"close('*');",
			"open('" + SAMPLES.resolve("cell.png") + "');",
			"open('" + SAMPLES.resolve("ihc.png") + "');",
			"runMacro('" + MACROS.resolve("sanasr_restore_all_open_images.ijm") + "', '" + model + " output=[" + tmp.resolve("all-out") + "]');",
			"print('ALL images=' + nImages);",
			"close('*');",
			"runMacro('" + MACROS.resolve("sanasr_restore_folder.ijm") + "', 'input=[" + folderIn + "] output=[" + tmp.resolve("folder-out") + "] " + model + " fidelity_map=true');",
			"print('DONE');", "");
		final Path macro = Files.writeString(tmp.resolve("wrapper.ijm"), wrapper);
		final Result r = runBatch(macro, "");
		assertTrue(r.stdout.contains("DONE"), r.describe());
		assertTrue(r.stdout.contains("ACTIVE camera-lowres-SANA-SR-x4 512x512 images=3"), r.describe());
		assertTrue(r.stdout.contains("PROVENANCE 1"), r.describe());
		assertTrue(r.stdout.contains("ALL images=4"), r.describe());
		assertImage(tmp.resolve("all-out/cell-SANA-SR-x4.tif"), 852, 1024, 8);
		assertImage(tmp.resolve("all-out/ihc-SANA-SR-x4.tif"), 1024, 1024, 24);
		assertTrue(r.stdout.contains("SANA-SR folder: 2 restored, 0 skipped (already done), 0 failed"), r.describe());
		assertImage(tmp.resolve("folder-out/camera-lowres-SANA-SR-x4.tif"), 512, 512, 8);
		assertImage(tmp.resolve("folder-out/sem-SANA-SR-x4.tif"), 1024, 1024, 8);
		assertImage(tmp.resolve("folder-out/sem-SANA-SR-x4-fidelity.tif"), 256, 256, 32);
	}

	@Test
	void headlessBatchMacroRunsTheFolderCommand() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		Files.copy(SAMPLES.resolve("camera-lowres.png"), in.resolve("camera-lowres.png"));
		Files.copy(SAMPLES.resolve("retina.png"), in.resolve("retina.png"));
		Files.writeString(in.resolve("notes.xyz"), "not an image");
		final Path out = tmp.resolve("out");
		final Result r = runBatch(MACROS.resolve("sanasr_headless_batch.ijm"), "input=[" + in + "] output=[" + out +
			"] pattern=[*.png] model=[" + MODEL + "] fidelity_map=true");
		assertTrue(r.stdout.contains("file,size_in,size_out,seconds,status,message,output"), r.describe());
		assertImage(out.resolve("camera-lowres-SANA-SR-x4.tif"), 512, 512, 8);
		assertImage(out.resolve("retina-SANA-SR-x4.tif"), 1024, 1024, 24);
		assertImage(out.resolve("retina-SANA-SR-x4-fidelity.tif"), 256, 256, 32);
		assertTrue(Files.readString(out.resolve("retina-SANA-SR-x4.sanasr.json")).contains("\"input_path\""));
		final List<String> csv = Files.readAllLines(out.resolve("sanasr-summary.csv"));
		assertEquals(3, csv.size(), "notes.xyz is outside the pattern: " + csv);
	}

	/** The line ImageJ 1.x's recorder writes for the ImageJ 1.x plugin (ImageJ1GuiTest) also drives the SciJava command. */
	@Test
	void lineRecordedByImageJ1RunsTheSciJavaCommand() throws Exception {
		final String recorded = "run(\"Super-resolve (SANA-SR)\", \"model=[" + MODEL + "] scale=4 tile=auto device=cpu " +
			"precision=auto prompt=default fidelity_map=true consistency=false float32=false low_percentile=0.1 high_percentile=99.9\");";
		final Path macro = Files.writeString(tmp.resolve("recorded.ijm"), String.join("\n",
			"open('" + SAMPLES.resolve("cell.png") + "');", recorded, "selectImage('cell-SANA-SR-x4');",
			"print('ACTIVE ' + getTitle() + ' ' + getWidth() + 'x' + getHeight() + ' images=' + nImages);", ""));
		final Result r = runBatch(macro, "");
		assertTrue(r.stdout.contains("ACTIVE cell-SANA-SR-x4 852x1024 images=3"), r.describe());
	}

	// -- running ij.ImageJ -batch --

	private record Result(int exit, String stdout, String stderr, boolean xvfb) {

		String describe() {
			return "exit " + exit + (xvfb ? " (Xvfb)" : " (headless)") + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
		}
	}

	private Result runBatch(final Path macro, final String argument) throws IOException, InterruptedException {
		final Path build = buildDir();
		final String classpath = String.join(File.pathSeparator, build.resolve("test-classes").toString(),
			build.resolve("classes").toString(), build.resolve("lib").toString() + File.separator + "*");
		final List<String> cmd = new ArrayList<>();
		final boolean xvfb = System.getenv("DISPLAY") == null && onPath("xvfb-run");
		if (xvfb) cmd.addAll(List.of("xvfb-run", "-a"));
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.addAll(List.of("-Xmx1g", "-Dai.djl.offline=true", "-Dslf4j.internal.verbosity=ERROR",
			"-Djava.awt.headless=" + !(xvfb || System.getenv("DISPLAY") != null), "-cp", classpath,
			MacroHarness.class.getName(), "-batch", macro.toString(), argument));
		final Path out = tmp.resolve("stdout.txt");
		final Path err = tmp.resolve("stderr.txt");
		final Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile())
			.redirectError(err.toFile()).start();
		if (!p.waitFor(150, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("ImageJ -batch did not finish in 150 s: " + Files.readString(out));
		}
		final Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
			Files.readString(err, StandardCharsets.UTF_8), xvfb);
		assertTrue(!r.stderr.contains("SANA-SR bridge:"), r.describe());
		return r;
	}

	private static boolean onPath(final String program) {
		for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (Files.isExecutable(Path.of(dir, program))) return true;
		}
		return false;
	}

	private static Path buildDir() {
		try {
			return Path.of(MacroTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
		}
		catch (final URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	private static void assertImage(final Path file, final int w, final int h, final int bitDepth) {
		final ImagePlus imp = IJ.openImage(file.toString());
		assertNotNull(imp, file + " does not open");
		assertEquals(w, imp.getWidth(), file.toString());
		assertEquals(h, imp.getHeight(), file.toString());
		assertEquals(bitDepth, imp.getBitDepth(), file.toString());
	}
}
