package io.github.sanasr.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./sana-sr-spark out of the box: the embedded Spark from spark/target, no spark-submit. */
class SparkLauncherTest {

	@TempDir
	Path tmp;

	record Run(int exit, String out) {}

	static Run launch(final Path dir, final String... args) throws Exception {
		final List<String> cmd = new java.util.ArrayList<>(List.of(SparkRestoreTest.REPO.resolve("sana-sr-spark").toString()));
		cmd.addAll(List.of(args));
		final Path log = dir.resolve("launcher.log");
		final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
		pb.environment().put("SANASR_JAVA_OPTS", "-Xmx1g");
		final Process p = pb.start();
		assertTrue(p.waitFor(3, TimeUnit.MINUTES), "./sana-sr-spark did not finish");
		return new Run(p.exitValue(), Files.readString(log));
	}

	@Test
	void restoresAFolderInLocalMode() throws Exception {
		final Path in = Files.createDirectories(tmp.resolve("in"));
		final ByteProcessor ip = new ByteProcessor(24, 16);
		for (int i = 0; i < 24 * 16; i++)
			ip.set(i, (i * 37) % 256);
		assertTrue(new FileSaver(new ImagePlus("x", ip)).saveAsPng(in.resolve("x.png").toString()));
		final Run r = launch(tmp, "--master", "local[2]", in.toString(), "--output", tmp.resolve("out").toString(),
			"--model", SparkRestoreTest.MODEL.toString());
		assertEquals(0, r.exit(), r.out());
		assertTrue(r.out().contains("1 restored, 0 skipped (already done), 0 failed"), r.out());
		assertTrue(Files.isRegularFile(tmp.resolve("out/x-SANA-SR-x4.tif")));
		assertTrue(Files.isRegularFile(tmp.resolve("out/x-SANA-SR-x4.sanasr.json")));
	}

	@Test
	void aBadCommandLineSaysWhatIsWrong() throws Exception {
		final Run r = launch(tmp, "in", "--band-budget-mb", "lots");
		assertEquals(2, r.exit(), r.out());
		assertTrue(r.out().contains("--band-budget-mb must be a positive whole number, not 'lots'"), r.out());
		final Run help = launch(tmp, "--help");
		assertEquals(0, help.exit(), help.out());
		assertTrue(help.out().contains("Usage: sana-sr-spark"), help.out());
	}
}
