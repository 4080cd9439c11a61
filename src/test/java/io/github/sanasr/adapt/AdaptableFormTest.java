package io.github.sanasr.adapt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.model.ModelDescriptor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adaptable form is refused before any work when it belongs to another version of the shipped file. */
class AdaptableFormTest {

	@TempDir
	Path tmp;

	private Path copyOfTiny() throws Exception {
		final Path dst = Files.createDirectories(tmp.resolve("tiny"));
		try (Stream<Path> s = Files.list(ModelAdapterTest.TINY)) {
			for (final Path f : s.toList())
				Files.copy(f, dst.resolve(f.getFileName()));
		}
		return dst;
	}

	@Test
	void currentFormPassesItsChecks() throws Exception {
		final ModelDescriptor d = ModelDescriptor.read(ModelAdapterTest.TINY.resolve("model.json"));
		final AdaptableForm f = AdaptableForm.of(d);
		f.check(d);
		assertEquals(d.sha256(), f.baseSha256());
		assertTrue(f.rank() >= 4 && f.rank() <= 8, "rank " + f.rank());
	}

	@Test
	void staleOrDamagedFormIsRefused() throws Exception {
		final Path m = copyOfTiny();
		final Path json = m.resolve("model.json");
		final String text = Files.readString(json);
		final ModelDescriptor d = ModelDescriptor.read(json);
		Files.writeString(json, text.replace("\"base_sha256\": \"" + d.sha256() + "\"", "\"base_sha256\": \"" +
			"0".repeat(64) + "\""));
		final ModelDescriptor stale = ModelDescriptor.read(json);
		AdaptException e = assertThrows(AdaptException.class, () -> AdaptableForm.of(stale).check(stale));
		assertTrue(e.getMessage().contains("another version") && e.getMessage().contains("make-adaptable"), e.getMessage());

		Files.writeString(json, text);
		Files.write(m.resolve("sana-sr-tiny-trunk-x4-adaptable.pt"), new byte[] { 1 }, java.nio.file.StandardOpenOption.APPEND);
		final ModelDescriptor damaged = ModelDescriptor.read(json);
		e = assertThrows(AdaptException.class, () -> AdaptableForm.of(damaged).check(damaged));
		assertTrue(e.getMessage().startsWith("Checksum mismatch"), e.getMessage());
	}

	@Test
	void modelsWithoutAnAdaptableFormSayWhatToDo() throws Exception {
		final Path bf16 = Paths.get("models/sana-sr-compact-x4-bf16/model.json");
		if (Files.isRegularFile(bf16)) {
			final AdaptException e = assertThrows(AdaptException.class, () -> AdaptableForm.of(ModelDescriptor.read(bf16)));
			assertTrue(e.getMessage().contains("float32"), e.getMessage());
		}
		final ModelDescriptor conv = ModelDescriptor.read(Paths.get("src/test/resources/models/conv-x4/model.json"));
		final AdaptException e = assertThrows(AdaptException.class, () -> AdaptableForm.of(conv));
		assertTrue(e.getMessage().contains("no adaptable form") && e.getMessage().contains("make-adaptable"), e.getMessage());
	}

	@Test
	void bundledModelsBringTheirAdaptableFile() throws Exception {
		final Path res = Files.createDirectories(tmp.resolve("res/models/sana-sr-tiny-trunk-x4"));
		try (Stream<Path> s = Files.list(ModelAdapterTest.TINY)) {
			for (final Path f : s.toList())
				Files.copy(f, res.resolve(f.getFileName()));
		}
		final String before = System.getProperty("sanasr.cache.dir");
		System.setProperty("sanasr.cache.dir", tmp.resolve("cache").toString());
		try (java.net.URLClassLoader cl = new java.net.URLClassLoader(new java.net.URL[] { tmp.resolve("res").toUri()
			.toURL() }, null))
		{
			final ModelDescriptor d = new io.github.sanasr.model.ModelRegistry(java.util.List.of(), cl).resolve(
				"sana-sr-tiny-trunk-x4");
			assertTrue(d.folder().startsWith(tmp.resolve("cache")), d.folder().toString());
			AdaptableForm.of(d).check(d);
		}
		finally {
			if (before == null) System.clearProperty("sanasr.cache.dir");
			else System.setProperty("sanasr.cache.dir", before);
		}
	}
}
