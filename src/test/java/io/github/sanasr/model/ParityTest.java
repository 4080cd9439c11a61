package io.github.sanasr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sanasr.core.RestoreOptions.DeviceChoice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Java (DJL, libtorch 2.7.1) against Python (the factory's torch) on the same exported model: the same input
 * tensor must give the same output within 1e-4. Fixture, written by the model factory:
 * <pre>
 * src/test/resources/models/sana-sr-tiny-trunk-x4/   model folder (docs/model-format.md), the compact design
 *                                                 at test size
 * src/test/resources/parity/parity.json        model folder (relative to src/test/resources), file names, shapes, prompt_index
 * src/test/resources/parity/input.f32          float32 little-endian [1, C, h, w], the normalised input given to forward
 * src/test/resources/parity/output.f32         float32 little-endian [1, C, 4h, 4w], what Python's forward returned
 * </pre>
 * Skipped, with a message, while the fixture is absent. The committed test model conv-x4 carries its own
 * fixture, so the comparison itself always runs.
 */
class ParityTest {

	private static final Path RESOURCES = Paths.get("src", "test", "resources");

	@Test
	void factoryModelMatchesPython() throws Exception {
		final Path parity = RESOURCES.resolve("parity");
		final Path spec = parity.resolve("parity.json");
		assumeTrue(Files.isRegularFile(spec), "parity fixture absent (" + spec +
			"): run src/test/python/make_parity_fixture.py; skipping");
		final JsonObject j = JsonParser.parseString(Files.readString(spec)).getAsJsonObject();
		final Path modelJson = RESOURCES.resolve(j.get("model").getAsString()).resolve("model.json");
		final Npy in = Npy.raw(parity.resolve(j.get("input").getAsString()), shape(j, "input_shape"));
		final Npy out = Npy.raw(parity.resolve(j.get("output").getAsString()), shape(j, "output_shape"));
		check(modelJson, in, out, Math.round(j.get("prompt_index").getAsFloat()), false);
	}

	/**
	 * The shipped default model itself: {@code parity/shipped.json} names it relative to the repository root and
	 * records the SHA-256 its output came from (rerun {@code make_parity_fixture.py --shipped-only} after
	 * replacing the model).
	 */
	@Test
	void shippedModelMatchesPython() throws Exception {
		checkShipped("shipped.json");
	}

	/**
	 * A shipped model with realism prompts runs a second trunk for them: its own fixture (the first realism
	 * prompt) must exist and match.
	 */
	@Test
	void shippedModelRealismPromptMatchesPython() throws Exception {
		final JsonObject j = JsonParser.parseString(Files.readString(RESOURCES.resolve("parity").resolve("shipped.json")))
			.getAsJsonObject();
		final ModelDescriptor d = ModelDescriptor.read(Paths.get(j.get("model").getAsString()).resolve("model.json"));
		assumeTrue(d.promptModes().containsValue("realism"), "the shipped model has no realism prompt");
		assertTrue(Files.exists(RESOURCES.resolve("parity").resolve("shipped-realism.json")),
			"run /usr/bin/python3 src/test/python/make_parity_fixture.py --shipped-only");
		final JsonObject r = checkShipped("shipped-realism.json");
		assertTrue(d.isRealism(r.get("prompt").getAsString()), r.get("prompt").getAsString());
	}

	private static JsonObject checkShipped(final String fixture) throws Exception {
		final Path parity = RESOURCES.resolve("parity");
		final JsonObject j = JsonParser.parseString(Files.readString(parity.resolve(fixture))).getAsJsonObject();
		final Path modelJson = Paths.get(j.get("model").getAsString()).resolve("model.json");
		final ModelDescriptor d = ModelDescriptor.read(modelJson);
		assertEquals(j.get("sha256").getAsString(), d.sha256(), "the shipped model changed after its parity fixture " +
			"was made: run /usr/bin/python3 src/test/python/make_parity_fixture.py --shipped-only");
		final Npy in = Npy.raw(parity.resolve(j.get("input").getAsString()), shape(j, "input_shape"));
		final Npy out = Npy.raw(parity.resolve(j.get("output").getAsString()), shape(j, "output_shape"));
		check(modelJson, in, out, Math.round(j.get("prompt_index").getAsFloat()), false);
		return j;
	}

	private static int[] shape(final JsonObject j, final String key) {
		final var a = j.getAsJsonArray(key);
		final int[] s = new int[a.size()];
		for (int i = 0; i < s.length; i++)
			s[i] = a.get(i).getAsInt();
		return s;
	}

	/** The same check on the committed test model (its fixture made by make_test_models.py, prompt 2). */
	@Test
	void testModelMatchesPython() throws Exception {
		final Path conv = RESOURCES.resolve("models").resolve("conv-x4");
		check(conv.resolve("model.json"), Npy.read(conv.resolve("parity_input.npy")), Npy.read(conv.resolve(
			"parity_output.npy")), 2, true);
	}

	private static void check(final Path modelJson, final Npy in, final Npy expected, final int prompt,
		final boolean checkPromptMatters)
		throws Exception
	{
		final ModelDescriptor d = ModelDescriptor.read(modelJson);
		assertEquals(4, in.shape.length, "input.npy must be [1, C, h, w]");
		assertEquals(1, in.shape[0]);
		assertEquals(d.inputChannels(), in.shape[1]);
		assertArrayEquals(new int[] { 1, in.shape[1], in.shape[2] * d.scale(), in.shape[3] * d.scale() }, expected.shape);
		try (TileModel m = SrModel.open(d, DeviceChoice.CPU)) {
			final float[] actual = m.predict(in.data, in.shape[1], in.shape[2], in.shape[3], prompt);
			double max = 0;
			for (int i = 0; i < actual.length; i++)
				max = Math.max(max, Math.abs(actual[i] - expected.data[i]));
			assertTrue(max <= 1e-4, "max |Java - Python| = " + max);
			if (!checkPromptMatters) return;
			// the comparison can fail: another prompt gives another output
			final float[] other = m.predict(in.data, in.shape[1], in.shape[2], in.shape[3], prompt == 0 ? 1 : 0);
			double diff = 0;
			for (int i = 0; i < other.length; i++)
				diff = Math.max(diff, Math.abs(other[i] - expected.data[i]));
			assertTrue(diff > 1e-4, "prompt has no effect: cannot tell outputs apart");
		}
	}

	/** A float32, C-order .npy file (numpy format versions 1-3). */
	static final class Npy {
		final int[] shape;
		final float[] data;

		private Npy(final int[] shape, final float[] data) {
			this.shape = shape;
			this.data = data;
		}

		/** Raw little-endian float32 in C order, its shape given beside it (the factory's parity fixture). */
		static Npy raw(final Path file, final int[] shape) throws IOException {
			final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
			long count = 1;
			for (final int v : shape)
				count *= v;
			if (b.remaining() != count * Float.BYTES) throw new IOException(file + " holds " + b.remaining() +
				" bytes, not the " + count * Float.BYTES + " of float32 " + java.util.Arrays.toString(shape));
			final float[] data = new float[(int) count];
			b.asFloatBuffer().get(data);
			return new Npy(shape, data);
		}

		static Npy read(final Path file) throws IOException {
			final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
			final byte[] magic = new byte[6];
			b.get(magic);
			if (!new String(magic, StandardCharsets.ISO_8859_1).equals("\u0093NUMPY")) throw new IOException(file + " is not .npy");
			final int major = b.get();
			b.get();
			final int headerLength = major == 1 ? b.getShort() & 0xffff : b.getInt();
			final byte[] hb = new byte[headerLength];
			b.get(hb);
			final String header = new String(hb, StandardCharsets.ISO_8859_1);
			if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) throw new IOException(file +
				" must be little-endian float32 in C order: " + header);
			final Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
			if (!m.find()) throw new IOException(file + ": no shape in " + header);
			final String[] parts = m.group(1).split(",");
			int n = 0;
			final int[] shape = new int[parts.length];
			for (final String p : parts)
				if (!p.isBlank()) shape[n++] = Integer.parseInt(p.trim());
			final int[] s = java.util.Arrays.copyOf(shape, n);
			long count = 1;
			for (final int v : s)
				count *= v;
			final float[] data = new float[(int) count];
			b.asFloatBuffer().get(data);
			return new Npy(s, data);
		}
	}
}
