package io.github.sanasr.ij1;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.io.FileSaver;
import io.github.sanasr.adapt.ModelAdapterTestImages;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Adapt model to my images" in the real ImageJ 1.53t ({@code imagej -b}), installed by
 * {@code scripts/install-imagej1.sh}: the menu entry runs from a macro line with the shared keys and writes the
 * model (that it restores by name is {@code AdaptCliTest}'s); bad input is one error line and stops the macro.
 */
class ImageJ1AdaptTest {

	@TempDir
	static Path home;

	static final Path TINY = ImageJ1App.REPO.resolve("src/test/resources/models/sana-sr-tiny-trunk-x4");

	@BeforeAll
	static void install() throws Exception {
		ImageJ1App.assumeAvailable();
		ImageJ1App.install(home);
	}

	@Test
	void adaptsFromAMacroAndTheModelRestores() throws Exception {
		final Path img = home.resolve("cells.tif");
		new FileSaver(ModelAdapterTestImages.specimen(384, 384, 7)).saveAsTiff(img.toString());
		final Path models = home.resolve("my-models");
		final String macro = String.join("\n",
			"run(\"Adapt model to my images\", \"images=[" + img + "] name=ij1-tiny base=[" + TINY + "] minutes=2 " +
				"degradation=binning noise=none models_dir=[" + models + "] overwrite=false\");",
			"print(\"BETWEEN\");",
			"run(\"Adapt model to my images\", \"images=[" + img + "] name=ij1-tiny base=[" + TINY + "] minutes=1 " +
				"models_dir=[" + models + "]\");",
			"print(\"AFTER\");", "");
		final ImageJ1App.Result r = ImageJ1App.batch(home, macro, 600);
		final String out = r.output();
		assertTrue(out.contains("SANA-SR adapt: wrote " + models.resolve("ij1-tiny")), r.describe());
		assertTrue(Files.isRegularFile(models.resolve("ij1-tiny/model.json")), r.describe());
		assertTrue(out.contains("BETWEEN"), r.describe());
		assertTrue(io.github.sanasr.model.ModelDescriptor.read(models.resolve("ij1-tiny/model.json")).json()
			.has("adaptation"), "no provenance");
		assertTrue(out.contains("SANA-SR error (Adapt model to my images): A model named ij1-tiny already exists"),
			r.describe());
		assertFalse(out.contains("AFTER"), "the macro went on after the error: " + r.describe());
	}
}
