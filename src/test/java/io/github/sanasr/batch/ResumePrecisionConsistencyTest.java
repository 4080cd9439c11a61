package io.github.sanasr.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sanasr.core.NearestModel;
import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;
import io.github.sanasr.core.Restorer;
import io.github.sanasr.model.CpuFeatures;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.TileModel;
import io.github.sanasr.model.TileModelFactory;

import ij.ImagePlus;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 resume by identity with issue 18's options: the precision that ran (with the SHA-256 of the file that
 * ran) and the consistency projection are part of an output's identity. A rerun whose --precision or
 * --consistency would make other pixels is a CONFLICT and leaves the output untouched; the same options (also
 * precision=auto resolving to what ran) skip it.
 */
class ResumePrecisionConsistencyTest {

	@TempDir
	Path tmp;

	private Path models;
	private final List<String> opened = new ArrayList<>();

	/** A float32 model "m" and its bfloat16 variant "m-bf16", each with its own (fake) model file and checksum. */
	@BeforeEach
	void models() throws Exception {
		models = Files.createDirectories(tmp.resolve("models"));
		final JsonObject variants = new JsonObject();
		variants.addProperty("bfloat16", "m-bf16");
		model("m", "float32", "variants", variants);
		model("m-bf16", "bfloat16", "variant_of", "m");
	}

	private void model(final String name, final String precision, final String key, final Object value)
		throws Exception
	{
		final Path conv = io.github.sanasr.core.TestImages.model("conv-x4").resolve("model.json");
		final JsonObject j = JsonParser.parseString(Files.readString(conv)).getAsJsonObject();
		final Path folder = Files.createDirectories(models.resolve(name));
		final Path file = Files.writeString(folder.resolve(name + ".pt"), "weights of " + name, StandardCharsets.UTF_8);
		j.addProperty("name", name);
		j.addProperty("file", name + ".pt");
		j.addProperty("sha256", sha256(file));
		j.addProperty("precision", precision);
		if (value instanceof String s) j.addProperty(key, s);
		else j.add(key, (JsonObject) value);
		Files.writeString(folder.resolve("model.json"), j.toString());
	}

	private static String sha256(final Path file) throws Exception {
		return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(
			Files.readAllBytes(file)));
	}

	/** The real core and batch runner, on a CPU with or without fast bfloat16; the network is a stand-in. */
	private BatchReport run(final boolean fastBfloat16, final String precision, final boolean consistency)
		throws Exception
	{
		final TileModelFactory factory = new TileModelFactory() {
			@Override
			public TileModel open(final ModelDescriptor d, final RestoreOptions.DeviceChoice device) {
				opened.add(d.name());
				return new NearestModel(4);
			}
		};
		final Restorer core = new Restorer(new ModelRegistry(List.of(models), getClass().getClassLoader()), factory)
			.cpuFeatures(CpuFeatures.fixed(fastBfloat16)).log(null);
		final ImageRestorer restorer = new ImageRestorer() {
			@Override
			public RestoreResult restore(final ImagePlus input, final RestoreOptions options,
				final ProgressListener progress) throws RestoreException
			{
				return core.restore(input, options, progress);
			}

			@Override
			public void check(final RestoreOptions options) throws RestoreException {
				core.check(options);
			}

			@Override
			public Map<String, String> identity(final RestoreOptions options) throws RestoreException {
				return core.identity(options);
			}
		};
		final RestoreOptions options = RestoreOptions.builder().model("m").precision(precision).consistency(consistency)
			.build();
		return new BatchRestorer(restorer).run(BatchJob.builder().input(tmp.resolve("in")).outputDir(tmp.resolve("out"))
			.options(options).build(), BatchListener.NONE);
	}

	private static BatchRow only(final BatchReport report) {
		assertEquals(1, report.rows().size(), report.rows().toString());
		return report.rows().get(0);
	}

	@Test
	void anotherPrecisionOrConsistencyIsAConflictTheSameOptionsAreSkipped() throws Exception {
		TestImages.png8(Files.createDirectories(tmp.resolve("in")), "a.png", 12, 8);
		final OutputNames names = new OutputNames(tmp.resolve("out"), "a.png", 4, OutputFormat.TIF);

		assertEquals(BatchStatus.OK, only(run(true, "bfloat16", false)).status());
		assertEquals(List.of("m-bf16"), opened, "the bfloat16 file ran");
		final Map<String, String> sidecar = ResumeCheck.read(names.sidecar());
		assertEquals("bfloat16", sidecar.get("precision"));
		assertEquals("m-bf16", sidecar.get("model_name"));
		assertEquals("m", sidecar.get("model_requested"));
		assertEquals(sha256(models.resolve("m-bf16/m-bf16.pt")), sidecar.get("model_sha256"),
			"the SHA-256 of the file that ran");
		assertEquals("false", sidecar.get("consistency"));
		final byte[] image = Files.readAllBytes(names.image());
		final String recorded = Files.readString(names.sidecar());
		opened.clear();

		// the same options, and auto where it resolves to the same file: skipped
		assertEquals(BatchStatus.SKIPPED, only(run(true, "bfloat16", false)).status());
		assertEquals(BatchStatus.SKIPPED, only(run(true, "auto", false)).status(), "auto ran bfloat16 on this CPU too");

		// another precision (explicit, or auto resolving to float32 on a CPU without fast bfloat16): a conflict
		for (final boolean fast : new boolean[] { true, false }) {
			final String precision = fast ? "float32" : "auto";
			final BatchRow row = only(run(fast, precision, false));
			assertEquals(BatchStatus.CONFLICT, row.status(), precision);
			assertTrue(row.message().startsWith("made by m-bf16 0.0.1, SHA-256 "), row.message());
			assertTrue(row.message().contains("model_sha256 '"), row.message());
			assertTrue(row.message().contains("precision 'bfloat16' there, 'float32' in this run"), row.message());
		}
		// the consistency projection changes pixels: a conflict
		final BatchRow consistent = only(run(true, "bfloat16", true));
		assertEquals(BatchStatus.CONFLICT, consistent.status());
		assertTrue(consistent.message().endsWith("(consistency 'false' there, 'true' in this run)"), consistent.message());

		assertEquals(List.of(), opened, "no rerun ran the model");
		assertTrue(java.util.Arrays.equals(image, Files.readAllBytes(names.image())), "the output is untouched");
		assertEquals(recorded, Files.readString(names.sidecar()));
	}

	@Test
	void aConsistentOutputIsSkippedOnlyByAConsistentRerun() throws Exception {
		TestImages.png8(Files.createDirectories(tmp.resolve("in")), "a.png", 12, 8);
		assertEquals(BatchStatus.OK, only(run(false, "float32", true)).status());
		final Map<String, String> sidecar = ResumeCheck.read(new OutputNames(tmp.resolve("out"), "a.png", 4,
			OutputFormat.TIF).sidecar());
		assertEquals("true", sidecar.get("consistency"));
		assertTrue(sidecar.get("consistency_projection").startsWith("binning: each 4x4 block's mean"), sidecar.toString());
		assertEquals("float32", sidecar.get("precision"));
		assertEquals(BatchStatus.SKIPPED, only(run(false, "auto", true)).status());
		final BatchRow off = only(run(false, "float32", false));
		assertEquals(BatchStatus.CONFLICT, off.status());
		assertTrue(off.message().endsWith("(consistency 'true' there, 'false' in this run)"), off.message());
	}
}
