package io.github.sanasr.ij1;

import static io.github.sanasr.ij1.ImageJ1App.q;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import io.github.sanasr.command.CommandParameters;
import io.github.sanasr.gui.Ij1GuiDriver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person's session in the real ImageJ 1.53t window (Debian's launcher under Xvfb), driven from inside by
 * {@link Ij1GuiDriver}: menu entry, dialog, OK, result window, screenshots, the macro recorder, a run
 * cancelled with Esc. Then the recorded macro line replays in batch mode ({@code imagej -b}) to the same
 * pixels. The screenshots land in {@code target/ij1-gui/}; docs/imagej1-*.png are copies of them.
 */
class ImageJ1GuiTest {

	@TempDir
	Path home;

	@Test
	void menuDialogOkResultRecorderAndEscThenTheRecordedLineReplaysToTheSamePixels() throws Exception {
		ImageJ1App.assumeAvailable();
		final Path plugins = ImageJ1App.install(home).getParent();
		driverJar(plugins.resolve("SANA-SR-test-driver").resolve("sanasr-gui-driver.jar"));
		final Path out = Files.createDirectories(ImageJ1App.buildDir().resolve("ij1-gui"));
		Files.deleteIfExists(out.resolve("recorded.ijm"));
		Files.deleteIfExists(out.resolve("gui-result.tif"));
		final Path sample = ImageJ1App.SAMPLES.resolve("cell.png");
		final Path macro = Files.writeString(home.resolve("driver.ijm"),
			"call(\"" + Ij1GuiDriver.class.getName() + ".drive\", " + q(sample) + ", " + q(out) + ");\n");
		final ImageJ1App.Result r = ImageJ1App.imagej(home, 480, "-m", macro.toString());
		final String o = r.output();
		assertTrue(o.contains("DRIVER DONE"), r.describe());
		assertTrue(o.contains("IMAGEJ 1.53t"), r.describe());
		// the menu: both entries under Plugins > SANA-SR, each once, from the ImageJ 1.x plugin classes
		assertTrue(o.contains("MENU Plugins>SANA-SR [Super-resolve (SANA-SR), Super-resolve folder (SANA-SR), " +
			"Adapt model to my images]"), o);
		assertTrue(o.contains("MENU_COUNT 1\n"), o);
		assertTrue(o.contains("COMMAND_CLASS io.github.sanasr.ij1.SuperResolvePlugin"), o);
		// the dialog shows the shared parameters (underscores shown as spaces)
		for (final String label : List.of("Model (name or folder)", "Scale", "Device", "Fidelity map", "Low percentile"))
			assertTrue(o.contains("FIELD " + label), "no field " + label + ":\n" + o);
		// and, under the prompt, what realism costs
		assertTrue(o.contains("FIELD " + CommandParameters.REALISM_NOTE + "\n"), "no realism note:\n" + o);
		// choices, not free text: the models (default first, a folder picker last), scale 2-4, the model's prompts
		assertTrue(o.lines().anyMatch(l -> l.startsWith("CHOICE sana-sr-compact-x4 of [sana-sr-compact-x4, ") &&
			l.contains("sana-sr-compact-x4-bf16") && l.endsWith(", Other model folder...]")), o);
		assertTrue(o.contains("CHOICE 4 of [2, 3, 4]\n"), o);
		assertTrue(o.contains("CHOICE default of [default, generic, photo, fluorescence, brightfield, histology, " +
			"electron, astro, realistic, faithful]\n"), o);
		assertTrue(o.contains("OK_CLICKS 1\n"), "one click on OK closes the dialog:\n" + o);
		assertTrue(o.contains("RESULT cell-SANA-SR-x4 852x1024 images=2"), o);
		assertTrue(Files.size(out.resolve("dialog.png")) > 1000 && Files.size(out.resolve("result.png")) > 1000);
		// Esc: a clear message, no output image
		assertTrue(o.lines().anyMatch(l -> l.startsWith("STATUS SANA-SR cell.png: ") && l.contains("Esc cancels")), o);
		assertTrue(o.lines().anyMatch(l -> l.startsWith("CANCEL_MESSAGE") && l.contains("Cancelled")), o);
		assertTrue(o.contains("AFTER_CANCEL images=2 (before: 2)"), o);

		// the recorder wrote one line with every option as key=value, booleans as true/false (as Fiji does)
		final List<String> runs = Files.readAllLines(out.resolve("recorded.ijm")).stream()
			.filter(l -> l.startsWith("run(\"Super-resolve (SANA-SR)\"")).toList();
		assertEquals(1, runs.size(), "one recorded run (the cancelled one is not recorded): " + o);
		final String line = runs.get(0);
		assertEquals("run(\"Super-resolve (SANA-SR)\", \"model=sana-sr-compact-x4 scale=4 tile=auto device=auto " +
			"precision=auto prompt=default fidelity_map=false consistency=false float32=false low_percentile=0.1 high_percentile=99.9\");", line);

		// the recorded line, replayed headless in batch mode, gives the GUI's pixels
		final Path replayed = home.resolve("replayed.tif");
		final ImageJ1App.Result b = ImageJ1App.batch(home, String.join("\n",
			"open(" + q(sample) + ");",
			"run(\"Properties...\", \"channels=1 slices=1 frames=1 unit=micron pixel_width=0.4 pixel_height=0.4 voxel_depth=1\");",
			line,
			"saveAs(\"Tiff\", " + q(replayed) + ");", "print(\"REPLAYED\");", ""), 300);
		assertTrue(b.output().contains("REPLAYED"), b.describe());
		final ImagePlus gui = IJ.openImage(out.resolve("gui-result.tif").toString());
		final ImagePlus batch = IJ.openImage(replayed.toString());
		assertNotNull(gui);
		assertNotNull(batch);
		assertEquals(gui.getWidth(), batch.getWidth());
		assertEquals(gui.getHeight(), batch.getHeight());
		assertEquals(gui.getCalibration().pixelWidth, batch.getCalibration().pixelWidth, 1e-12);
		assertArrayEquals((byte[]) gui.getProcessor().getPixels(), (byte[]) batch.getProcessor().getPixels(),
			"the replayed macro gives other pixels than the GUI run");
	}

	/** The driver classes, in a jar without '_' in its name: on ImageJ's class path, not in its menus. */
	private static void driverJar(final Path jar) throws IOException {
		Files.createDirectories(jar.getParent());
		final Path classes = ImageJ1App.buildDir().resolve("test-classes");
		try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar));
			Stream<Path> s = Files.walk(classes.resolve("io/github/sanasr/gui")))
		{
			for (final Path p : s.filter(f -> {
				final String n = f.getFileName().toString();
				return n.startsWith("Ij1GuiDriver") || n.startsWith("Awt");
			}).toList()) {
				j.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
				Files.copy(p, j);
				j.closeEntry();
			}
		}
	}
}
