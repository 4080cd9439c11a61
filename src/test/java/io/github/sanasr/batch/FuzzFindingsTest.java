package io.github.sanasr.batch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.LUT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bugs the fuzz (issue 17, {@code io.github.sanasr.fuzz.Fuzzer}) found in the batch layer, pinned down. */
class FuzzFindingsTest {

	private static final Pattern JAVA_WORDS = Pattern.compile("\\bjava\\.|\\w(Exception|Error): ");

	@TempDir
	Path tmp;

	/** A truncated GIF made ImageJ's decoder throw; the row said "java.lang.NullPointerException: ... gct". */
	@Test
	void aFileImageJsReaderChokesOnGetsAMessageInWords() throws Exception {
		final byte[] red = new byte[256], green = new byte[256], blue = new byte[256];
		new Random(3).nextBytes(red);
		new Random(4).nextBytes(green);
		new Random(5).nextBytes(blue);
		final ByteProcessor ip = new ByteProcessor(1, 3);
		ip.setLut(new LUT(red, green, blue));
		final ImagePlus imp = new ImagePlus("g", ip);
		imp.setTypeToColor256();
		final Path gif = tmp.resolve("good.gif");
		assertTrue(new FileSaver(imp).saveAsGif(gif.toString()));
		final byte[] bytes = Files.readAllBytes(gif);
		int refused = 0;
		for (int keep = 1; keep < bytes.length; keep += 7) {
			final Path cut = Files.write(tmp.resolve("cut" + keep + ".gif"), Arrays.copyOf(bytes, keep));
			try {
				ImageFiles.open(cut).close();
			}
			catch (final ImageFiles.UnusableFileException e) {
				refused++;
				assertFalse(JAVA_WORDS.matcher(e.getMessage()).find(), keep + " bytes: " + e.getMessage());
				assertTrue(e.getMessage().startsWith("could not be read") || e.getMessage().startsWith("unsupported"),
					e.getMessage());
			}
		}
		assertTrue(refused > 0, "some truncated GIFs are refused");
	}

	/** "--pattern [" reached the file walk and ended the CLI with "ExecutionException: ... Module threw exception". */
	@Test
	void anInvalidPatternIsRefusedWhenTheJobIsMade() {
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchJob.builder()
			.pattern("*.tif;["));
		assertTrue(e.getMessage().startsWith("The file pattern '*.tif;[' is not a valid file-name glob"), e.getMessage());
		BatchJob.builder().input(tmp).outputDir(tmp).pattern("*.tif;*.PNG;a?[bc]*").build();
	}
}
