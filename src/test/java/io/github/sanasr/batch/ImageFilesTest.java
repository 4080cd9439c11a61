package io.github.sanasr.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, item 5: an intact file that is too large is reported as too large, not as corrupt. */
class ImageFilesTest {

	@TempDir
	Path tmp;

	/** An intact 8-bit TIFF header declaring {@code w x h} pixels, followed by a few bytes of pixels. */
	static byte[] tiffDeclaring(final long w, final long h) {
		final int entries = 9, dataOffset = 8 + 2 + entries * 12 + 4;
		final ByteBuffer b = ByteBuffer.allocate(dataOffset + 16).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
		b.putShort((short) entries);
		entry(b, 256, 4, w);
		entry(b, 257, 4, h);
		entry(b, 258, 3, 8);
		entry(b, 259, 3, 1);
		entry(b, 262, 3, 1);
		entry(b, 273, 4, dataOffset);
		entry(b, 277, 3, 1);
		entry(b, 278, 4, h);
		entry(b, 279, 4, w * h);
		b.putInt(0);
		return b.array();
	}

	private static void entry(final ByteBuffer b, final int tag, final int type, final long value) {
		b.putShort((short) tag).putShort((short) type).putInt(1);
		if (type == 3) b.putShort((short) value).putShort((short) 0);
		else b.putInt((int) value);
	}

	@Test
	void aTiffOverImageJsPlaneLimitIsTooLargeWithItsSizeAndTheLimit() throws Exception {
		final Path big = tmp.resolve("huge.tif");
		Files.write(big, tiffDeclaring(60000, 60000));
		final ImageFiles.UnusableFileException e = assertThrows(ImageFiles.UnusableFileException.class,
			() -> ImageFiles.open(big));
		assertEquals("too large: the file declares 60000 x 60000 = 3600000000 pixels per plane, over ImageJ's limit " +
			"of 2147483647 (2^31-1) pixels per plane; crop or split it first", e.getMessage());
		// and so in a batch's summary
		final BatchReport report = new BatchRestorer(new FakeRestorer()).run(BatchJob.builder().input(big)
			.outputDir(tmp.resolve("out")).build(), BatchListener.NONE);
		assertEquals(List.of("FAILED " + big + ": " + e.getMessage()), report.failures().stream()
			.map(BatchRow::problemLine).toList());
	}

	@Test
	void aFileLargerThanTheFreeMemoryIsTooLargeWithBothSizes() {
		final DeclaredSize s = new DeclaredSize(20000, 10000, 3, 2);
		assertNull(s.tooLarge(2L << 30), "1.2 GB fit into 2 GB");
		assertEquals("too large: the file declares 20000 x 10000 pixels x 3 plane(s), 1144 MB in memory, but only " +
			"1024 MB of Java memory are free; give Java more memory (Edit > Options > Memory & Threads, or " +
			"SANASR_JAVA_OPTS=-Xmx...) or split the file", s.tooLarge(1L << 30));
	}

	@Test
	void aTruncatedFileIsStillCorrupt() throws Exception {
		TestImages.corruptPng(tmp, "broken.png");
		final ImageFiles.UnusableFileException e = assertThrows(ImageFiles.UnusableFileException.class,
			() -> ImageFiles.open(tmp.resolve("broken.png")));
		assertTrue(e.getMessage().contains("corrupt or truncated"), e.getMessage());
	}
}
