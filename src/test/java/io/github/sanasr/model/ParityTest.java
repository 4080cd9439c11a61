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
 * src/test/resources/models/sana-sr-tiny-x4/   model folder (docs/model-format.md)
 * src/test/resources/parity/input.npy          float32 [1, C, h, w], the normalised input given to forward
 * src/test/resources/parity/output.npy         float32 [1, C, 4h, 4w], what Python's forward returned
 * src/test/resources/parity/parity.json        optional: {"model": "sana-sr-tiny-x4", "prompt": 0}
 * </pre>
 * Skipped, with a message, while the fixture is absent. The committed test model conv-x4 carries its own
 * fixture, so the comparison itself always runs.
 */
class ParityTest {

	private static final Path RESOURCES = Paths.get("src", "test", "resources");

	@Test
	void factoryModelMatchesPython() throws Exception {
		final Path parity = RESOURCES.resolve("parity");
		String modelName = "sana-sr-tiny-x4";
		int prompt = 0;
		final Path spec = parity.resolve("parity.json");
		if (Files.isRegularFile(spec)) {
			final JsonObject j = JsonParser.parseString(Files.readString(spec)).getAsJsonObject();
			if (j.has("model")) modelName = j.get("model").getAsString();
			if (j.has("prompt")) prompt = j.get("prompt").getAsInt();
		}
		final Path modelJson = RESOURCES.resolve("models").resolve(modelName).resolve("model.json");
		assumeTrue(Files.isRegularFile(modelJson) && Files.isRegularFile(parity.resolve("input.npy")) && Files.isRegularFile(
			parity.resolve("output.npy")), "parity fixture absent: the model factory writes " + modelJson + " and " + parity +
				"/{input,output}.npy; skipping");
		check(modelJson, parity.resolve("input.npy"), parity.resolve("output.npy"), prompt, false);
	}

	/** The same check on the committed test model (its fixture made by make_test_models.py, prompt 2). */
	@Test
	void testModelMatchesPython() throws Exception {
		final Path conv = RESOURCES.resolve("models").resolve("conv-x4");
		check(conv.resolve("model.json"), conv.resolve("parity_input.npy"), conv.resolve("parity_output.npy"), 2, true);
	}

	private static void check(final Path modelJson, final Path input, final Path output, final int prompt,
		final boolean checkPromptMatters)
		throws Exception
	{
		final Npy in = Npy.read(input), expected = Npy.read(output);
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
