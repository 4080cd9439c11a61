package io.github.sanasr.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.github.sanasr.core.RestoreException;
import io.github.sanasr.core.RestoreOptions.DeviceChoice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * A TorchScript SANA-SR model loaded through DJL's PyTorch engine. The loaded model is cached per (file,
 * checksum, device) for the life of the JVM, so a second run does not reload it; each {@link #open} returns a
 * session with its own {@link Predictor}, because predictors must not be shared between threads.
 */
public final class SrModel {

	private static final Logger LOG = Logger.getLogger(SrModel.class.getName());
	private static final Map<Key, SrModel> CACHE = new ConcurrentHashMap<>();

	private final ModelDescriptor descriptor;
	private final Device device;
	private final ZooModel<Tile, float[]> model;

	private SrModel(final ModelDescriptor descriptor, final Device device, final ZooModel<Tile, float[]> model) {
		this.descriptor = descriptor;
		this.device = device;
		this.model = model;
	}

	/** Loads (or takes from the cache) the model of a descriptor and opens a session on it. */
	public static TileModel open(final ModelDescriptor descriptor, final DeviceChoice choice) throws ModelException {
		final Device device = DeviceChooser.choose(choice);
		final Path file = descriptor.modelFile();
		final Key key = new Key(file.toAbsolutePath().normalize().toString(), descriptor.sha256(), device.toString());
		SrModel m = CACHE.get(key);
		if (m == null) {
			synchronized (CACHE) {
				m = CACHE.get(key);
				if (m == null) {
					m = load(descriptor, device);
					CACHE.put(key, m);
				}
			}
		}
		return m.new Session();
	}

	/** Number of loaded models kept for reuse. */
	public static int cachedModels() {
		return CACHE.size();
	}

	/** Closes and forgets all cached models (frees libtorch memory). */
	public static void clearCache() {
		synchronized (CACHE) {
			CACHE.values().forEach(m -> m.model.close());
			CACHE.clear();
		}
	}

	private static SrModel load(final ModelDescriptor d, final Device device) throws ModelException {
		final Path file = d.modelFile();
		d.verifyFile();
		final Criteria<Tile, float[]> criteria = Criteria.builder().setTypes(Tile.class, float[].class)
			.optModelPath(file).optEngine("PyTorch").optDevice(device).optTranslator(new TileTranslator(d))
			.optOption("mapLocation", "true").build();
		try {
			final long t0 = System.nanoTime();
			final ZooModel<Tile, float[]> zoo = criteria.loadModel();
			LOG.info(String.format("SANA-SR: loaded %s on %s in %.1f s", file.getFileName(), DeviceChooser.describe(device),
				(System.nanoTime() - t0) / 1e9));
			return new SrModel(d, device, zoo);
		}
		catch (final ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
			throw new ModelException("Cannot load the TorchScript model " + file + " (" + d.descriptorFile() + "): " +
				e.getMessage(), e);
		}
	}

	static String sha256(final Path file) throws ModelException {
		try (InputStream in = Files.newInputStream(file)) {
			final MessageDigest md = MessageDigest.getInstance("SHA-256");
			final byte[] buf = new byte[1 << 16];
			for (int n; (n = in.read(buf)) > 0;)
				md.update(buf, 0, n);
			final StringBuilder sb = new StringBuilder();
			for (final byte b : md.digest())
				sb.append(String.format("%02x", b));
			return sb.toString();
		}
		catch (final IOException | NoSuchAlgorithmException e) {
			throw new ModelException("Cannot read model file " + file + ": " + e.getMessage(), e);
		}
	}

	/** One thread's use of the model: owns a predictor. */
	private final class Session implements TileModel {

		private final Predictor<Tile, float[]> predictor = model.newPredictor();

		@Override
		public float[] predict(final float[] chw, final int channels, final int height, final int width,
			final int prompt) throws RestoreException
		{
			try {
				return predictor.predict(new Tile(chw, channels, height, width, prompt));
			}
			catch (final TranslateException | RuntimeException e) {
				final ShapeMismatch shape = find(e, ShapeMismatch.class);
				if (shape != null) throw new ModelException(shape.getMessage());
				if (TileOutOfMemoryException.isOutOfMemory(e)) throw new TileOutOfMemoryException(
					"Out of memory on " + device() + " for a " + width + "x" + height + " tile", e);
				throw new ModelException("The model " + descriptor.modelFile() + " failed on a " + width + "x" + height +
					" tile: " + e.getMessage(), e);
			}
			catch (final OutOfMemoryError e) {
				throw new TileOutOfMemoryException("Java heap exhausted for a " + width + "x" + height + " tile", e);
			}
		}

		@Override
		public String device() {
			return DeviceChooser.describe(device);
		}

		@Override
		public long availableMemory() {
			if (!device.isGpu()) return -1;
			try {
				final java.lang.management.MemoryUsage m = ai.djl.util.cuda.CudaUtils.getGpuMemory(device);
				return m.getMax() - m.getUsed();
			}
			catch (final RuntimeException | UnsatisfiedLinkError e) {
				return -1;
			}
		}

		@Override
		public void close() {
			predictor.close();
		}
	}

	private static <T extends Throwable> T find(final Throwable t, final Class<T> type) {
		for (Throwable c = t; c != null; c = c.getCause())
			if (type.isInstance(c)) return type.cast(c);
		return null;
	}

	/** One input tile, channel-major float32. */
	static final class Tile {
		final float[] chw;
		final int channels, height, width, prompt;

		Tile(final float[] chw, final int channels, final int height, final int width, final int prompt) {
			if (chw.length != (long) channels * height * width) throw new IllegalArgumentException("tile data length");
			this.chw = chw;
			this.channels = channels;
			this.height = height;
			this.width = width;
			this.prompt = prompt;
		}
	}

	private static final class ShapeMismatch extends RuntimeException {
		private static final long serialVersionUID = 1L;

		ShapeMismatch(final String m) {
			super(m);
		}
	}

	/** NCHW float32 in, the descriptor's expected output shape checked on the way out. */
	private static final class TileTranslator implements Translator<Tile, float[]> {

		private static final String EXPECTED = "sanasr.expected-shape";

		private final ModelDescriptor d;

		TileTranslator(final ModelDescriptor d) {
			this.d = d;
		}

		@Override
		public NDList processInput(final TranslatorContext ctx, final Tile t) {
			final NDManager m = ctx.getNDManager();
			final NDArray image = m.create(FloatBuffer.wrap(t.chw), new Shape(1, t.channels, t.height, t.width),
				DataType.FLOAT32);
			final NDArray prompt = m.create(new float[] { t.prompt });
			// per call, in the call's own context: the translator is shared by every predictor (thread) of the model
			ctx.setAttachment(EXPECTED, new Shape(1, t.channels, (long) d.scale() * t.height, (long) d.scale() * t.width));
			return new NDList(image, prompt);
		}

		@Override
		public float[] processOutput(final TranslatorContext ctx, final NDList list) {
			final NDArray out = list.get(0);
			final Shape expected = (Shape) ctx.getAttachment(EXPECTED);
			if (!out.getShape().equals(expected)) throw new ShapeMismatch("The model " + d.modelFile() + " returned " +
				out.getShape() + " for an input of " + expected.get(2) / d.scale() + "x" + expected.get(3) / d.scale() +
				", but its descriptor " + d.descriptorFile() + " promises " + expected + " (scale " + d.scale() +
				", input_channels " + d.inputChannels() + ")");
			if (out.getDataType() != DataType.FLOAT32) throw new ShapeMismatch("The model " + d.modelFile() +
				" returned " + out.getDataType() + "; the format requires float32");
			return out.toFloatArray();
		}

		@Override
		public Batchifier getBatchifier() {
			return null;
		}
	}

	private static final class Key {
		final String file, sha, device;

		Key(final String file, final String sha, final String device) {
			this.file = file;
			this.sha = sha;
			this.device = device;
		}

		@Override
		public boolean equals(final Object o) {
			return o instanceof Key && ((Key) o).file.equals(file) && ((Key) o).sha.equals(sha) &&
				((Key) o).device.equals(device);
		}

		@Override
		public int hashCode() {
			return Objects.hash(file, sha, device);
		}
	}
}
