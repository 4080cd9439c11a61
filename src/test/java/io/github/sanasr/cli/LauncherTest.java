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
			"CONFLICT " + in.resolve("done.png") + ": made by an unnamed model, SHA-256 unknown, not by this run; use " +
				"--overwrite (" + String.join("; ", conflictDetails(in.resolve("done.png"))) + ")",
			"FAILED " + in.resolve("notes.xyz") + ": unsupported file type: not an image format ImageJ opens"),
			r.stderrLines(), "stderr holds one line per failure or conflict and nothing else");
		assertTrue(r.stdout().contains("2 restored, 0 skipped (already done), 2 failed, 1 conflict"), r.stdout());

		assertImage(out.resolve("a-SANA-SR-x4.tif"), 160, 128, 8);
		assertImage(out.resolve("b-SANA-SR-x4.tif"), 96, 96, 16);
		assertImage(out.resolve("a-SANA-SR-x4-fidelity.tif"), 40, 32, 32);
		// the written map keeps its two halves and their labels: consistency, then invented detail
		final ImagePlus map = IJ.openImage(out.resolve("b-SANA-SR-x4-fidelity.tif").toString());
		assertEquals(2, map.getNChannels());
		assertEquals("consistency c1", map.getStack().getSliceLabel(1));
		assertEquals("invented detail c1", map.getStack().getSliceLabel(2));
		final ImagePlus b = IJ.openImage(out.resolve("b-SANA-SR-x4.tif").toString());
		assertEquals(0.125, b.getCalibration().pixelWidth, 1e-9);
		final String sidecar = Files.readString(out.resolve("b-SANA-SR-x4.sanasr.json"));
		assertTrue(sidecar.contains("\"scale\": \"4\""), sidecar);
		assertTrue(sidecar.contains("\"input_path\": \"" + in.resolve("b.tif") + "\""), sidecar);
		assertTrue(sidecar.contains("\"model_sha256\""), sidecar);
		assertTrue(sidecar.contains("\"prompt\": \"generic\",\n  \"prompt_mode\": \"fidelity\""), sidecar);
		assertTrue(sidecar.contains("\"invented_detail_rms\": \""), sidecar);
		assertEquals(Double.parseDouble(map.getProp("invented_detail_rms")), Double.parseDouble(sidecar.replaceAll(
			"(?s).*\"invented_detail_rms\": \"([^\"]+)\".*", "$1")));
		// the sidecar has the same keys as the image's Info text
		final String info = String.valueOf(b.getProperty("Info"));
		for (final String line : sidecar.lines().filter(l -> l.startsWith("  \"")).toList()) {
			final String key = line.substring(3, line.indexOf('"', 3));
			if (key.startsWith("input_file_")) continue; // the input file's fingerprint: the sidecar's own
			assertTrue(info.contains(key + ": "), "Info lacks " + key);
		}
		assertEquals("from an earlier run", Files.readString(out.resolve("done-SANA-SR-x4.tif")), "a conflict is untouched");
		final List<String> csv = Files.readAllLines(out.resolve(BatchReport.CSV_NAME));
		assertEquals(6, csv.size(), csv.toString());
		assertTrue(csv.stream().anyMatch(l -> l.startsWith(in.resolve("done.png") + ",") && l.contains(",conflict,")));

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
		final long finished = count(out, ".tif"); // the image is written last: one per complete set
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

	/**
	 * Issue 17, item 1: after a run with one model, a rerun with another model or prompt into the same folder
	 * reports a CONFLICT (exit 1) and leaves the first output untouched; the same job again skips it.
	 */
	@Test
	void aRerunWithAnotherModelOrPromptIsAConflictNotASkip() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		final Path out = tmp.resolve("out");
		TestImages.png8(in, "a.png", 24, 16);
		final Launcher.Result first = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model());
		assertEquals(0, first.exitCode(), first.stderr());
		final Path image = out.resolve("a-SANA-SR-x4.tif");
		final byte[] made = Files.readAllBytes(image);
		final String other = Launcher.REPO.resolve("src/test/resources/models/attention-x4").toString();
		final Launcher.Result model = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", other);
		assertEquals(1, model.exitCode(), model.stdout() + model.stderr());
		assertEquals(1, model.stderrLines().size(), model.stderr());
		assertTrue(model.stderrLines().get(0).startsWith("CONFLICT " + in.resolve("a.png") + ": made by conv-x4 0.0.1, " +
			"SHA-256 fd5bce16246b, not by this run; use --overwrite (model_sha256 'fd5bce16246b…' there, '"),
			model.stderr());
		assertTrue(model.stdout().contains("0 restored, 0 skipped (already done), 0 failed, 1 conflict"), model.stdout());
		final Launcher.Result prompt = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model(),
			"--prompt", "photo");
		assertEquals(1, prompt.exitCode());
		assertTrue(prompt.stderr().contains("(prompt 'generic' there, 'photo' in this run)"), prompt.stderr());
		assertTrue(java.util.Arrays.equals(made, Files.readAllBytes(image)), "the first output is untouched");
		final Launcher.Result same = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model(),
			"--prompt", "generic", "--tile", "64");
		assertEquals(0, same.exitCode(), same.stderr());
		assertTrue(same.stdout().contains("0 restored, 1 skipped (already done), 0 failed"), same.stdout());
	}

	/** Issue 17, item 2: a bad model or prompt is one usage error (exit 2) before the first file, not N failures. */
	@Test
	void aBadModelOrPromptIsOneUsageErrorBeforeTheFirstFile() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		for (int i = 0; i < 6; i++) TestImages.png8(in, "img" + i + ".png", 8, 8);
		final Path out = tmp.resolve("out");
		final Launcher.Result model = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", "../../etc");
		assertEquals(2, model.exitCode(), model.stdout() + model.stderr());
		assertEquals(1, model.stderrLines().size(), model.stderr());
		assertTrue(model.stderrLines().get(0).matches("sana-sr: Model (folder or )?descriptor not found: .*"), model.stderr());
		final Launcher.Result prompt = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model(),
			"--prompt", "nonsense");
		assertEquals(2, prompt.exitCode(), prompt.stdout() + prompt.stderr());
		assertEquals(List.of("sana-sr: Model conv-x4 knows the prompts [generic, photo, fluorescence, brightfield, " +
			"histology, electron, astro], not 'nonsense'"), prompt.stderrLines());
		final Launcher.Result scale = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model", model(),
			"--pattern", "*.[png");
		assertEquals(2, scale.exitCode(), scale.stdout() + scale.stderr());
		assertEquals(1, scale.stderrLines().size(), scale.stderr());
		// a model file that does not match its checksum
		final Path damaged = Files.createDirectories(tmp.resolve("damaged"));
		Files.copy(Launcher.CONV_MODEL.resolve("model.json"), damaged.resolve("model.json"));
		Files.write(damaged.resolve("conv-x4.pt"), new byte[] { 1, 2, 3 });
		final Launcher.Result sum = Launcher.run(tmp, in.toString(), "--output", out.toString(), "--model",
			damaged.toString());
		assertEquals(2, sum.exitCode(), sum.stdout() + sum.stderr());
		assertTrue(sum.stderrLines().get(0).startsWith("sana-sr: Checksum mismatch: "), sum.stderr());
		assertFalse(Files.exists(out.resolve("img0-SANA-SR-x4.tif")), "no file was tried");
		assertFalse(Files.exists(out.resolve(BatchReport.CSV_NAME)), "no file was tried");
	}

	/**
	 * Issue 17, concurrency: two ./sana-sr processes on the same folder at once end with every output complete
	 * and written once; the one that finds an output made by the other reports it skipped.
	 */
	@Test
	void twoProcessesOnOneFolderWriteEachOutputOnce() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		final Path out = tmp.resolve("out");
		final int n = 12;
		for (int i = 0; i < n; i++) TestImages.png8(in, String.format("img%02d.png", i), 96, 64);
		final List<String> args = List.of(in.toString(), "--output", out.toString(), "--model", model(), "--tile", "32");
		final Process a = Launcher.builder(tmp, args).redirectErrorStream(true).redirectOutput(tmp.resolve("a.txt").toFile())
			.start();
		final Process b = Launcher.builder(tmp, args).redirectErrorStream(true).redirectOutput(tmp.resolve("b.txt").toFile())
			.start();
		assertTrue(a.waitFor(180, TimeUnit.SECONDS) && b.waitFor(180, TimeUnit.SECONDS), "both finish");
		final String logA = Files.readString(tmp.resolve("a.txt")), logB = Files.readString(tmp.resolve("b.txt"));
		assertEquals(0, a.exitValue(), logA);
		assertEquals(0, b.exitValue(), logB);
		final long restored = restoredCount(logA) + restoredCount(logB);
		assertEquals(n, restored, "each file restored by exactly one of them:\n" + logA + "\n" + logB);
		for (int i = 0; i < n; i++) {
			final String stem = String.format("img%02d-SANA-SR-x4", i);
			assertImage(out.resolve(stem + ".tif"), 384, 256, 8);
			assertTrue(Files.readString(out.resolve(stem + ".sanasr.json")).endsWith("}\n"));
			final long okLines = (logA + logB).lines().filter(l -> l.contains(" ok ") && l.contains(stem)).count();
			assertEquals(1, okLines, stem + " written once");
		}
		assertEquals(0, count(out, ".sanasr-part"), "no temporary file left");
	}

	private static long restoredCount(final String log) {
		final java.util.regex.Matcher m = java.util.regex.Pattern.compile("sana-sr: (\\d+) restored, (\\d+) skipped")
			.matcher(log);
		assertTrue(m.find(), log);
		return Long.parseLong(m.group(1));
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

		// the test model has no bfloat16 variant: one usage error before the first file (issue 17), nothing written
		final Path none = tmp.resolve("none");
		final Launcher.Result bf16 = Launcher.run(tmp, in.toString(), "--output", none.toString(), "--model", model(),
			"--precision", "bfloat16");
		assertEquals(2, bf16.exitCode(), bf16.stdout() + bf16.stderr());
		assertEquals(1, bf16.stderrLines().size(), bf16.stderr());
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
		assertTrue(help.stdout().contains(" " + io.github.sanasr.command.CommandParameters.REALISM_NOTE + "\n"),
			"--help says what realism costs:\n" + help.stdout());
		final Launcher.Result version = Launcher.run(tmp, "--version");
		assertEquals(0, version.exitCode());
		assertTrue(version.stdout().startsWith("sana-sr "), version.stdout());
		final Launcher.Result bad = Launcher.run(tmp, "x.png", "--output", "o", "--colour", "red");
		assertEquals(2, bad.exitCode());
		assertEquals("sana-sr: unknown option --colour (see --help)", bad.stderrLines().get(0));
	}

	/** The identity entries an empty sidecar lacks, with this run's values (the conv-x4 model, default options). */
	private List<String> conflictDetails(final Path input) throws IOException {
		final String sha = com.google.gson.JsonParser.parseString(Files.readString(Launcher.CONV_MODEL.resolve("model.json")))
			.getAsJsonObject().get("sha256").getAsString();
		final io.github.sanasr.batch.InputFingerprint f = io.github.sanasr.batch.InputFingerprint.of(input);
		return List.of("model_sha256 not recorded there, '" + sha.substring(0, 12) + "…' in this run",
			"precision not recorded there, 'float32' in this run", // conv-x4 has no bfloat16 variant: auto runs float32
			"prompt not recorded there, 'generic' in this run", "scale not recorded there, '4' in this run",
			"normalisation_percentiles not recorded there, '0.1-99.9' in this run",
			"float32_output not recorded there, 'false' in this run", "fidelity_map not recorded there, 'true' in this run",
			"consistency not recorded there, 'false' in this run",
			"input_file_bytes not recorded there, '" + f.bytes() + "' in this run",
			"input_file_sha256 not recorded there, '" + f.sha256().substring(0, 12) + "…' in this run");
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
