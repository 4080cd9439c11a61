package io.github.sanasr.adapt;

import ij.ImagePlus;
import io.github.sanasr.core.Normalizer;
import io.github.sanasr.core.PlaneSource;
import io.github.sanasr.core.RestoreCancelledException;
import io.github.sanasr.core.ProgressListener;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Self-supervised pairs from the user's images. Every plane (each C/Z/T position; colour images as one RGB
 * plane, as the restoration feeds them) is a target; its input is the target shrunk by the model's scale under
 * the chosen {@link Degradation}, plus, when a {@link NoiseModel} was estimated, the noise that shrinking
 * averaged away, so that inputs are as noisy as real acquisitions. Each plane is normalised exactly as
 * {@link io.github.sanasr.core.Restorer} normalises an input (robust percentiles of the input plane, the same
 * mapping applied to the target). Planes are cut into non-overlapping patches; 15 % of them (at least one) are
 * held out for validation.
 */
final class TrainingPairs {

	static final double HOLD_OUT = 0.15;

	/** One patch: model input (channel-major, the model's channels) and target, both normalised. */
	static final class Pair {
		final float[] lrClean, lr, hr;
		final boolean grey;
		final NoiseModel noise;
		final double low, range;

		Pair(final float[] lrClean, final float[] lr, final float[] hr, final boolean grey, final NoiseModel noise,
			final double low, final double range)
		{
			this.lrClean = lrClean;
			this.lr = lr;
			this.hr = hr;
			this.grey = grey;
			this.noise = noise;
			this.low = low;
			this.range = range;
		}
	}

	/** What the descriptor records about one training image. */
	record ImageRecord(String name, String sha256, String sha256Of, int width, int height, String planesUsed,
		NoiseModel noise) {}

	final int lrPatch, scale, channels;
	final double keptNoise;
	final List<Pair> train = new ArrayList<>(), heldOut = new ArrayList<>();
	final List<ImageRecord> images = new ArrayList<>();

	private TrainingPairs(final int lrPatch, final int scale, final int channels, final double keptNoise) {
		this.lrPatch = lrPatch;
		this.scale = scale;
		this.channels = channels;
		this.keptNoise = keptNoise;
	}

	private record Cell(int image, int c, int z, int t, int cx, int cy) {}

	static TrainingPairs build(final List<AdaptImage> inputs, final int scale, final int modelChannels,
		final int lrPatch, final Degradation degradation, final boolean estimateNoise, final double lowPercentile,
		final double highPercentile, final int maxPatches, final long seed, final ProgressListener progress)
		throws AdaptException, RestoreCancelledException
	{
		if (inputs == null || inputs.isEmpty()) throw new AdaptException(
			"No images given: name image files or folders (or open an image) to adapt the model to.");
		final TrainingPairs pairs = new TrainingPairs(lrPatch, scale, modelChannels, degradation.keptNoiseVariance(scale));
		final int hrPatch = lrPatch * scale;
		final List<Cell> cells = new ArrayList<>();
		final NoiseModel[] noise = new NoiseModel[inputs.size()];
		for (int i = 0; i < inputs.size(); i++) {
			final ImagePlus imp = inputs.get(i).image();
			final PlaneSource source = source(inputs.get(i));
			final int nx = imp.getWidth() / hrPatch, ny = imp.getHeight() / hrPatch;
			final NoiseEstimator estimator = new NoiseEstimator();
			for (int t = 1; t <= imp.getNFrames(); t++)
				for (int z = 1; z <= imp.getNSlices(); z++)
					for (int c = 1; c <= imp.getNChannels(); c++) {
						if (progress.isCancelled()) throw new RestoreCancelledException();
						for (int cy = 0; cy < ny; cy++)
							for (int cx = 0; cx < nx; cx++)
								cells.add(new Cell(i, c, z, t, cx, cy));
						if (estimateNoise) for (final float[] comp : source.read(c, z, t))
							estimator.add(comp, imp.getWidth(), imp.getHeight());
					}
			noise[i] = estimateNoise ? estimator.estimate() : NoiseModel.NONE;
		}
		if (cells.size() < 2) throw new AdaptException("The images are too small: adapting needs at least two patches of " +
			hrPatch + " x " + hrPatch + " pixels (the model sees them shrunk to " + lrPatch + " x " + lrPatch +
			"), and these give " + cells.size() + ". Give larger images, or more of them.");
		final Random rng = new Random(seed);
		Collections.shuffle(cells, rng);
		final List<Cell> used = cells.size() > maxPatches ? cells.subList(0, maxPatches) : cells;
		final int held = Math.max(1, (int) Math.round(HOLD_OUT * used.size()));
		// by image and plane, so that each plane is read, shrunk and normalised once
		final Map<List<Integer>, List<Integer>> byPlane = new LinkedHashMap<>();
		for (int k = 0; k < used.size(); k++) {
			final Cell cell = used.get(k);
			byPlane.computeIfAbsent(List.of(cell.image, cell.c, cell.z, cell.t), x -> new ArrayList<>()).add(k);
		}
		final Pair[] ordered = new Pair[used.size()];
		final List<TreeSet<String>> planesUsed = new ArrayList<>();
		for (int i = 0; i < inputs.size(); i++)
			planesUsed.add(new TreeSet<>());
		for (final Map.Entry<List<Integer>, List<Integer>> e : byPlane.entrySet()) {
			if (progress.isCancelled()) throw new RestoreCancelledException();
			final int i = e.getKey().get(0), c = e.getKey().get(1), z = e.getKey().get(2), t = e.getKey().get(3);
			final ImagePlus imp = inputs.get(i).image();
			final float[][] comps = source(inputs.get(i)).read(c, z, t);
			final PlaneData plane = pairs.plane(comps, imp.getWidth(), imp.getHeight(), degradation, noise[i],
				lowPercentile, highPercentile, new Random(seed * 31 + ordered.length + c * 7919L + z * 104729L + t));
			for (final int k : e.getValue())
				ordered[k] = pairs.cut(plane, used.get(k).cx, used.get(k).cy, noise[i]);
			planesUsed.get(i).add(String.format("c%d z%d t%d", c, z, t));
		}
		for (int k = 0; k < ordered.length; k++)
			(k < held ? pairs.heldOut : pairs.train).add(ordered[k]);
		for (int i = 0; i < inputs.size(); i++) {
			final AdaptImage in = inputs.get(i);
			final ImagePlus imp = in.image();
			final String[] sha = sha256(in);
			final int planes = imp.getNChannels() * imp.getNSlices() * imp.getNFrames();
			final String usedText = planesUsed.get(i).size() == planes && planes > 1 ? "all " + planes + " planes"
				: String.join(", ", planesUsed.get(i));
			pairs.images.add(new ImageRecord(in.name(), sha[0], sha[1], imp.getWidth(), imp.getHeight(),
				usedText.isEmpty() ? "none (no patch drawn)" : usedText, noise[i]));
		}
		return pairs;
	}

	private static PlaneSource source(final AdaptImage in) throws AdaptException {
		try {
			return new PlaneSource(in.image());
		}
		catch (final IllegalArgumentException e) {
			throw new AdaptException("Cannot read " + in.name() + ": " + e.getMessage());
		}
	}

	/** A plane's normalised target and input, channel by channel. */
	private record PlaneData(float[][] hr, float[][] lrClean, float[][] lr, int width, int height, boolean grey,
		double low, double range) {}

	private PlaneData plane(final float[][] comps, final int width, final int height, final Degradation degradation,
		final NoiseModel noise, final double lowP, final double highP, final Random rng)
	{
		final int w = width / scale * scale, h = height / scale * scale;
		final int n = comps.length;
		final float[][] hr = new float[n][], lrClean = new float[n][], lr = new float[n][];
		for (int k = 0; k < n; k++) {
			hr[k] = crop(comps[k], width, w, h);
			lrClean[k] = degradation.shrink(hr[k], w, h, scale);
			lr[k] = lrClean[k].clone();
			noise.addMissing(lr[k], lrClean[k], keptNoise, 0, 1, rng);
		}
		// the restoration normalises the (noisy) input plane; the target goes through the same mapping
		final Normalizer nz = Normalizer.fit(lr, lowP, highP);
		for (int k = 0; k < n; k++) {
			hr[k] = nz.forward(hr[k]);
			lrClean[k] = nz.forward(lrClean[k]);
			lr[k] = nz.forward(lr[k]);
		}
		return new PlaneData(hr, lrClean, lr, w, h, n == 1, nz.low(), nz.range());
	}

	private static float[] crop(final float[] p, final int width, final int w, final int h) {
		if (w == width && p.length == w * h) return p;
		final float[] out = new float[w * h];
		for (int y = 0; y < h; y++)
			System.arraycopy(p, y * width, out, y * w, w);
		return out;
	}

	private Pair cut(final PlaneData p, final int cx, final int cy, final NoiseModel noise) {
		final int lw = p.width / scale, hp = lrPatch * scale;
		final float[] lrClean = patch(p.lrClean, lw, cx * lrPatch, cy * lrPatch, lrPatch);
		final float[] lr = patch(p.lr, lw, cx * lrPatch, cy * lrPatch, lrPatch);
		final float[] hr = patch(p.hr, p.width, cx * hp, cy * hp, hp);
		return new Pair(lrClean, lr, hr, p.grey, noise, p.low, p.range);
	}

	/** Channel-major patch; grey repeated into every model channel (as the restoration's TileReader does). */
	private float[] patch(final float[][] comps, final int width, final int x0, final int y0, final int size) {
		final float[] out = new float[channels * size * size];
		for (int c = 0; c < channels; c++) {
			final float[] src = comps[comps.length == 1 ? 0 : Math.min(c, comps.length - 1)];
			for (int y = 0; y < size; y++)
				System.arraycopy(src, (y0 + y) * width + x0, out, (c * size + y) * size, size);
		}
		return out;
	}

	/** The model input for a training step: the clean input with fresh noise when there is a noise model. */
	float[] freshInput(final Pair p, final Random rng) {
		if (p.noise.isNone()) return p.lrClean;
		final float[] x = p.lrClean.clone();
		final int n = lrPatch * lrPatch;
		if (p.grey) {
			// one noise field, repeated: a grey plane is fed as identical channels
			final float[] one = java.util.Arrays.copyOf(x, n);
			p.noise.addMissing(one, java.util.Arrays.copyOf(p.lrClean, n), keptNoise, p.low, p.range, rng);
			for (int c = 0; c < channels; c++)
				System.arraycopy(one, 0, x, c * n, n);
		}
		else p.noise.addMissing(x, p.lrClean, keptNoise, p.low, p.range, rng);
		return x;
	}

	/** SHA-256 of the image's file, or of its pixels when it has none; {hex, "file"|"pixels"}. */
	private static String[] sha256(final AdaptImage in) throws AdaptException {
		try {
			final MessageDigest md = MessageDigest.getInstance("SHA-256");
			if (in.file() != null && Files.isRegularFile(in.file())) {
				try (InputStream s = Files.newInputStream(in.file())) {
					final byte[] buf = new byte[1 << 16];
					for (int r; (r = s.read(buf)) > 0;)
						md.update(buf, 0, r);
				}
				return new String[] { hex(md.digest()), "file" };
			}
			final PlaneSource src = source(in);
			final ImagePlus imp = in.image();
			for (int t = 1; t <= imp.getNFrames(); t++)
				for (int z = 1; z <= imp.getNSlices(); z++)
					for (int c = 1; c <= imp.getNChannels(); c++)
						for (final float[] comp : src.read(c, z, t)) {
							final ByteBuffer b = ByteBuffer.allocate(comp.length * 4);
							b.asFloatBuffer().put(comp);
							md.update(b.array());
						}
			return new String[] { hex(md.digest()), "pixels (float32, big-endian, plane by plane)" };
		}
		catch (final IOException e) {
			throw new AdaptException("Cannot read " + in.file() + ": " + e.getMessage(), e);
		}
		catch (final NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	static String hex(final byte[] d) {
		final StringBuilder sb = new StringBuilder();
		for (final byte b : d)
			sb.append(String.format("%02x", b));
		return sb.toString();
	}
}
