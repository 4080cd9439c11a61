package io.github.sanasr.ij1;

import static io.github.sanasr.ij1.ImageJ1App.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both commands in the real ImageJ 1.53t in batch mode ({@code imagej -b macro.ijm}), installed by
 * {@code scripts/install-imagej1.sh} into a plugins folder that is then made read-only and must be
 * unchanged afterwards (DJL's native cache and everything else live elsewhere).
 */
class ImageJ1BatchTest {

	@TempDir
	static Path home;

	private static Path installed;
	private static Map<String, String> installedTree;

	@BeforeAll
	static void install() throws Exception {
		ImageJ1App.assumeAvailable();
		installed = ImageJ1App.install(home);
		setWritable(installed, false);
		installedTree = ImageJ1App.tree(installed);
	}

	@AfterAll
	static void pluginFolderUnchanged() throws IOException {
		if (installed == null) return;
		setWritable(installed, true);
		assertEquals(installedTree, ImageJ1App.tree(installed), "something was written into the installed plugin folder");
	}

	@Test
	void superResolveWithExplicitOptionsSavesCalibratedResultWithProvenance() throws Exception {
		final Path sample = ImageJ1App.SAMPLES.resolve("cell.png");
		final String sampleHash = ImageJ1App.sha256(sample);
		final Path out = home.resolve("cell-x4.tif");
		final String macro = String.join("\n",
			"open(" + q(sample) + ");",
			"run(\"Properties...\", \"channels=1 slices=1 frames=1 unit=micron pixel_width=0.4 pixel_height=0.4 voxel_depth=1\");",
			"id = getImageID(); getStatistics(area, mean, min, max, std);",
			"print(\"INPUT \" + getWidth() + \"x\" + getHeight() + \" \" + mean + \" \" + std);",
			"run(\"Super-resolve (SANA-SR)\", \"model=sana-sr-compact-x4 scale=4 tile=auto device=cpu precision=auto " +
				"prompt=default fidelity_map=true consistency=false float32=false low_percentile=0.1 high_percentile=99.9\");",
			"print(\"ACTIVE \" + getTitle());", // as in Fiji: the outputs in order, the fidelity map last
			"selectImage(\"cell-SANA-SR-x4\");",
			"print(\"RESULT \" + getTitle() + \" \" + getWidth() + \"x\" + getHeight() + \" images=\" + nImages);",
			"saveAs(\"Tiff\", " + q(out) + ");",
			"selectImage(id); getStatistics(area, mean, min, max, std);",
			"print(\"INPUT \" + getWidth() + \"x\" + getHeight() + \" \" + mean + \" \" + std + \" changes=\" + is(\"changes\"));",
			"print(\"DONE\");", "");
		final ImageJ1App.Result r = ImageJ1App.batch(home, macro, 300);
		assertTrue(r.output().contains("DONE"), r.describe());
		assertTrue(r.output().contains("ACTIVE cell-SANA-SR-x4-fidelity\n"), r.describe());
		assertTrue(r.output().contains("RESULT cell-SANA-SR-x4 852x1024 images=3"), r.describe());
		final List<String> input = r.output().lines().filter(l -> l.startsWith("INPUT ")).toList();
		assertEquals(2, input.size(), r.describe());
		assertTrue(input.get(1).startsWith(input.get(0) + " changes=0"), "the input image changed: " + input);
		assertEquals(sampleHash, ImageJ1App.sha256(sample), "the input file changed");

		final ImagePlus saved = IJ.openImage(out.toString());
		assertNotNull(saved, out + " does not open");
		assertEquals(852, saved.getWidth());
		assertEquals(1024, saved.getHeight());
		assertEquals(8, saved.getBitDepth());
		assertEquals(0.1, saved.getCalibration().pixelWidth, 1e-9);
		assertEquals(0.1, saved.getCalibration().pixelHeight, 1e-9);
		assertEquals("micron", saved.getCalibration().getUnit().replace("µm", "micron"));
		final String info = (String) saved.getProperty("Info");
		assertNotNull(info, "no Info (provenance) in " + out);
		assertTrue(info.contains("model_name: sana-sr-compact-x4"), info);
		assertTrue(info.matches("(?s).*model_sha256: [0-9a-f]{64}.*"), info);
		assertTrue(info.contains("device: cpu") && info.contains("input_title: cell.png"), info);
		assertTrue(info.contains("generative"), info);
	}

	@Test
	void folderCommandRestoresTheGoodFileAndReportsTheCorruptOne() throws Exception {
		final Path in = Files.createDirectories(home.resolve("folder-in"));
		Files.copy(ImageJ1App.SAMPLES.resolve("cell.png"), in.resolve("cell.png"));
		Files.write(in.resolve("broken.tif"), new byte[] { 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 2, 3 });
		final Path out = home.resolve("folder-out");
		final String macro = String.join("\n",
			"run(\"Super-resolve folder (SANA-SR)\", \"input=" + brackets(in) + " pattern=* recursive=false output=" +
				brackets(out) + " model=" + brackets(ImageJ1App.CONV_MODEL) + " scale=4 device=cpu fidelity_map=true format=tif\");",
			"print(\"DONE\");", "");
		final ImageJ1App.Result r = ImageJ1App.batch(home, macro, 240);
		assertTrue(r.output().contains("DONE"), r.describe());
		assertTrue(r.output().contains("SANA-SR batch: 1 restored, 0 skipped (already done), 1 failed"), r.describe());
		assertTrue(r.output().lines().anyMatch(l -> l.startsWith("SANA-SR: FAILED ") && l.contains("broken.tif")), r.describe());
		final ImagePlus restored = IJ.openImage(out.resolve("cell-SANA-SR-x4.tif").toString());
		assertNotNull(restored, r.describe());
		assertEquals(852, restored.getWidth());
		assertEquals(1024, restored.getHeight());
		assertTrue(Files.isRegularFile(out.resolve("cell-SANA-SR-x4-fidelity.tif")));
		assertTrue(Files.readString(out.resolve("cell-SANA-SR-x4.sanasr.json")).contains("\"model_sha256\""));
		final List<String> csv = Files.readAllLines(out.resolve("sanasr-summary.csv"));
		assertEquals(3, csv.size(), csv.toString());
		assertTrue(csv.stream().anyMatch(l -> l.contains("broken.tif") && l.contains(",failed,")), csv.toString());
		try (Stream<Path> s = Files.list(out)) {
			assertEquals(Set.of("cell-SANA-SR-x4.tif", "cell-SANA-SR-x4-fidelity.tif", "cell-SANA-SR-x4.sanasr.json",
				"sanasr-summary.csv", io.github.sanasr.batch.OutputLocks.FILE_NAME),
				Set.copyOf(s.map(p -> p.getFileName().toString()).toList()),
				"only complete outputs (and the hidden lock file of concurrent runs), no temporary or partial files");
		}
	}

	@Test
	void hostErrorsAreLoggedStopTheMacroAndWriteNothing() throws Exception {
		final Path bad = Files.createDirectories(home.resolve("bad-checksum"));
		try (Stream<Path> s = Files.list(ImageJ1App.CONV_MODEL)) {
			for (final Path f : s.toList())
				Files.copy(f, bad.resolve(f.getFileName()));
		}
		Files.write(bad.resolve("conv-x4.pt"), new byte[] { 0 }, StandardOpenOption.APPEND);
		final String sample = q(ImageJ1App.SAMPLES.resolve("cell.png"));
		expectError("open(" + sample + ");", "model=no-such-model device=cpu",
			"No model named 'no-such-model'");
		expectError("open(" + sample + ");", "model=" + brackets(bad) + " device=cpu", "Checksum mismatch");
		expectError("newImage(\"huge\", \"8-bit black\", 12000, 12000, 1);", "model=" + brackets(ImageJ1App.CONV_MODEL) +
			" scale=4 device=cpu", "over ImageJ's limit of 2^31-1 pixels");
		expectError("open(" + sample + ");", "scale=7", "scale must be 2, 3 or 4");
		expectError("open(" + sample + ");", "scael=4", "Unknown option 'scael'");
	}

	/** Issue 17, item 2, in ImageJ 1.x: a folder job with an unknown model is one error before the first file. */
	@Test
	void aFolderJobWithAnUnknownModelIsOneErrorBeforeTheFirstFile() throws Exception {
		final Path in = Files.createDirectories(home.resolve("folder-bad-model"));
		for (final String n : List.of("a.png", "b.png", "c.png"))
			Files.copy(ImageJ1App.SAMPLES.resolve("cell.png"), in.resolve(n));
		final Path out = home.resolve("folder-bad-model-out");
		final String macro = String.join("\n",
			"run(\"Super-resolve folder (SANA-SR)\", \"input=" + brackets(in) + " output=" + brackets(out) +
				" model=no-such-model device=cpu\");", "print(\"AFTER\");", "");
		final ImageJ1App.Result r = ImageJ1App.batch(home, macro, 120);
		final List<String> errors = r.output().lines().filter(l -> l.startsWith("SANA-SR error (Super-resolve folder " +
			"(SANA-SR)): ")).toList();
		assertEquals(1, errors.size(), r.describe());
		assertTrue(errors.get(0).contains("No model named 'no-such-model'"), errors.get(0));
		assertFalse(r.output().contains("FAILED"), "no per-file failures: " + r.describe());
		assertFalse(r.output().contains("AFTER"), "the macro went on after the error: " + r.describe());
		assertFalse(Files.exists(out.resolve("sanasr-summary.csv")), "no file was tried");
	}

	/** The command fails with a log line containing {@code message}; the macro stops before saving. */
	private static void expectError(final String setup, final String options, final String message) throws Exception {
		final Path out = home.resolve("never-written.tif");
		final String macro = String.join("\n", setup,
			"run(\"Super-resolve (SANA-SR)\", " + q(options) + ");",
			"saveAs(\"Tiff\", " + q(out) + ");",
			"print(\"AFTER\");", "");
		final ImageJ1App.Result r = ImageJ1App.batch(home, macro, 120);
		final String line = r.output().lines().filter(l -> l.startsWith("SANA-SR error (Super-resolve (SANA-SR)): "))
			.findFirst().orElse(null);
		assertNotNull(line, "no error line for " + options + ": " + r.describe());
		assertTrue(line.contains(message), line);
		assertFalse(r.output().contains("AFTER"), "the macro went on after the error: " + r.describe());
		assertFalse(Files.exists(out), "the macro saved something after the error");
	}

	private static String brackets(final Path p) {
		return "[" + p + "]";
	}

	private static void setWritable(final Path dir, final boolean writable) throws IOException {
		try (Stream<Path> s = Files.walk(dir)) {
			for (final Path p : (Iterable<Path>) s::iterator) {
				final Set<PosixFilePermission> perms = new java.util.HashSet<>(Files.getPosixFilePermissions(p));
				for (final PosixFilePermission w : List.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
					PosixFilePermission.OTHERS_WRITE)) {
					if (writable && w == PosixFilePermission.OWNER_WRITE) perms.add(w);
					else if (!writable) perms.remove(w);
				}
				Files.setPosixFilePermissions(p, perms);
			}
		}
	}
}
