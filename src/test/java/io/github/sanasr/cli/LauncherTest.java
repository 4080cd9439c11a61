package io.github.sanasr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.batch.AtomicOutput;
import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.TestImages;

import ij.IJ;
import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./sana-sr as a user runs it: a subprocess on real files, with the small convolutional test model. */
class LauncherTest {

	@TempDir
	Path tmp;

	@BeforeEach
	void assumptions() {
		Launcher.assumeRunnable();
		Launcher.assumeTestModel();
	}

	private String model() {
		return Launcher.CONV_MODEL.toString();
	}

	@Test
	void goodCorruptUnsupportedAndExistingFiles() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		final Path out = tmp.resolve("out");
		TestImages.png8(in, "a.png", 40, 32);
		TestImages.tif16(in, "b.tif", 24, 24);
		TestImages.png8(in, "done.png", 16, 16);
		TestImages.corruptPng(in, "broken.png");
		TestImages.unsupported(in, "notes.xyz");
		Files.createDirectories(out);
		Files.writeString(out.resolve("done-SANA-SR-x4.tif"), "from an earlier run");
		Files.writeString(out.resolve("done-SANA-SR-x4-fidelity.tif"), "from an earlier run");
		Files.writeString(out.resolve("done-SANA-SR-x4.sanasr.json"), "{}\n");

		final Launcher.Result r = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model(),
			"--fidelity-map");

		assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
		assertEquals(List.of("FAILED " + in.resolve("broken.png") + ": could not be read: corrupt or truncated file",
			"FAILED " + in.resolve("notes.xyz") + ": unsupported file type: not an image format ImageJ opens"),
			r.stderrLines(), "stderr holds one line per failure and nothing else");
		assertTrue(r.stdout().contains("2 restored, 1 skipped (already done), 2 failed"), r.stdout());

		assertImage(out.resolve("a-SANA-SR-x4.tif"), 160, 128, 8);
		assertImage(out.resolve("b-SANA-SR-x4.tif"), 96, 96, 16);
		assertImage(out.resolve("a-SANA-SR-x4-fidelity.tif"), 40, 32, 32);
		final ImagePlus b = IJ.openImage(out.resolve("b-SANA-SR-x4.tif").toString());
		assertEquals(0.125, b.getCalibration().pixelWidth, 1e-9);
		final String sidecar = Files.readString(out.resolve("b-SANA-SR-x4.sanasr.json"));
		assertTrue(sidecar.contains("\"scale\": \"4\""), sidecar);
		assertTrue(sidecar.contains("\"input_path\": \"" + in.resolve("b.tif") + "\""), sidecar);
		assertTrue(sidecar.contains("\"model_sha256\""), sidecar);
		// the sidecar has the same keys as the image's Info text
		final String info = String.valueOf(b.getProperty("Info"));
		for (final String line : sidecar.lines().filter(l -> l.startsWith("  \"")).toList()) {
			final String key = line.substring(3, line.indexOf('"', 3));
			assertTrue(info.contains(key + ": "), "Info lacks " + key);
		}
		assertEquals("from an earlier run", Files.readString(out.resolve("done-SANA-SR-x4.tif")), "skipped, not redone");
		final List<String> csv = Files.readAllLines(out.resolve(BatchReport.CSV_NAME));
		assertEquals(6, csv.size(), csv.toString());
		assertTrue(csv.stream().anyMatch(l -> l.startsWith(in.resolve("done.png") + ",") && l.contains(",skipped,")));

		// --overwrite redoes the existing output; the bad files still fail
		final Launcher.Result again = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model(),
			"--fidelity-map", "--overwrite");
		assertEquals(1, again.exitCode());
		assertEquals(2, again.stderrLines().size(), again.stderr());
		assertImage(out.resolve("done-SANA-SR-x4.tif"), 64, 64, 8);

		// only the good files, everything done: exit 0, nothing on stderr
		final Launcher.Result done = Launcher.run(tmp, in.resolve("a.png").toString(), in.resolve("b.tif").toString(),
			"--output", out.toString(), "--model", model(), "--fidelity-map");
		assertEquals(0, done.exitCode(), done.stderr());
		assertEquals(List.of(), done.stderrLines());
		assertTrue(done.stdout().contains("0 restored, 2 skipped"), done.stdout());
	}

	@Test
	void sciJavaRunFormRunsTheFolderCommand() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		final Path out = tmp.resolve("out");
		TestImages.png8(in, "a.png", 24, 16);
		TestImages.tif16(in, "b.tif", 16, 16);
		final Launcher.Result r = Launcher.run(tmp, "--headless", "--run",
			"command:io.github.sanasr.command.SuperResolveFolderCommand",
			"input='" + in + "',output='" + out + "',pattern='*.png',model='" + model() +
				"',scale=2,tile='auto',device='cpu',prompt='default',format='png',overwrite=false,recursive=false," +
				"fidelity_map=false,float32=false,low_percentile=0.1,high_percentile=99.9");
		assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
		assertImage(out.resolve("a-SANA-SR-x2.png"), 48, 32, 8);
		assertFalse(Files.exists(out.resolve("b-SANA-SR-x2.png")), "pattern *.png leaves b.tif out");
	}

	@Test
	void killedBatchLeavesOnlyCompleteFilesAndARerunFinishesIt() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		final Path out = tmp.resolve("out");
		final int n = 150; // enough that a quiet machine cannot finish them between the first output and the kill
		for (int i = 0; i < n; i++) TestImages.png8(in, String.format("img%02d.png", i), 128, 96);
		final Process p = Launcher.builder(tmp, List.of(in.toString(), "--output", out.toString(), "--model", model(),
			"--tile", "32")).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
		final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (count(out, ".sanasr.json") < 1 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
		p.destroy(); // SIGTERM, as a cluster scheduler or Ctrl-C would
		assertTrue(p.waitFor(30, TimeUnit.SECONDS));
		final long finished = count(out, ".sanasr.json");
		assertTrue(finished < n, "the batch ended before it could be killed; make it longer. Log: " +
			Files.readString(tmp.resolve("log.txt")));

		// every file under a final name is complete
		try (Stream<Path> files = Files.list(out)) {
			for (final Path f : files.toList()) {
				final String name = f.getFileName().toString();
				if (name.endsWith(".tif")) assertImage(f, 512, 384, 8);
				if (name.endsWith(".sanasr.json")) assertTrue(Files.readString(f).endsWith("}\n"), name);
			}
		}
		final Launcher.Result rerun = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model());
		assertEquals(0, rerun.exitCode(), rerun.stderr());
		assertTrue(rerun.stdout().contains((n - finished) + " restored, " + finished + " skipped"), rerun.stdout());
		for (int i = 0; i < n; i++) assertImage(out.resolve(String.format("img%02d-SANA-SR-x4.tif", i)), 512, 384, 8);
		assertEquals(n, count(out, ".sanasr.json"));
		assertEquals(0, count(out, ".sanasr-part"), "no temporary file left after a complete run");
		assertFalse(Files.exists(AtomicOutput.temporaryName(out.resolve("img00-SANA-SR-x4.tif"))));
	}

	@Test
	void precisionAndConsistencyReachTheSidecar() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		final Path out = tmp.resolve("out");
		TestImages.png8(in, "a.png", 24, 16);
		final Launcher.Result r = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model(),
			"--precision", "float32", "--consistency", "--float32");
		assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
		final String sidecar = Files.readString(out.resolve("a-SANA-SR-x4.sanasr.json"));
		assertTrue(sidecar.contains("\"precision\": \"float32\""), sidecar);
		assertTrue(sidecar.contains("\"precision_choice\": \"float32 asked for\""), sidecar);
		assertTrue(sidecar.contains("\"consistency\": \"true\""), sidecar);
		// consistent: the output, degraded back, is the input
		assertTrue(Double.parseDouble(sidecar.replaceAll("(?s).*\"fidelity_rms\": \"([^\"]+)\".*", "$1")) < 1e-6, sidecar);

		// the test model has no bfloat16 variant: a clear failure per file, nothing written
		final Path none = tmp.resolve("none");
		final Launcher.Result bf16 = Launcher.run(tmp, in.toString(), "--output", none.toString(), "--model", model(),
			"--precision", "bfloat16");
		assertEquals(1, bf16.exitCode(), bf16.stdout() + bf16.stderr());
		assertTrue(bf16.stderr().contains("precision=bfloat16 was asked for, but conv-x4 has no bfloat16 variant"),
			bf16.stderr());
		assertFalse(Files.exists(none.resolve("a-SANA-SR-x4.tif")));

		final Launcher.Result bad = Launcher.run(tmp, in.toString(), "--output", none.toString(), "--precision", "fp16");
		assertEquals(2, bad.exitCode());
		assertTrue(bad.stderr().contains("precision must be auto, float32 or bfloat16, not 'fp16'"), bad.stderr());
	}

	@Test
	void helpVersionAndUsageErrors() throws Exception {
		final Launcher.Result help = Launcher.run(tmp, "--help");
		assertEquals(0, help.exitCode());
		assertTrue(help.stdout().startsWith("Usage: sana-sr INPUT... --output DIR"), help.stdout());
		final Launcher.Result version = Launcher.run(tmp, "--version");
		assertEquals(0, version.exitCode());
		assertTrue(version.stdout().startsWith("sana-sr "), version.stdout());
		final Launcher.Result bad = Launcher.run(tmp, "x.png", "--output", "o", "--colour", "red");
		assertEquals(2, bad.exitCode());
		assertEquals("sana-sr: unknown option --colour (see --help)", bad.stderrLines().get(0));
	}

	private static long count(final Path dir, final String suffix) throws IOException {
		if (!Files.isDirectory(dir)) return 0;
		try (Stream<Path> s = Files.list(dir)) {
			return s.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
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
