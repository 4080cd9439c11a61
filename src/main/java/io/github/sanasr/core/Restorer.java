package io.github.sanasr.core;

import ij.ImagePlus;
import ij.io.FileInfo;
import io.github.sanasr.model.CpuFeatures;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelException;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.PrecisionChooser;
import io.github.sanasr.model.TileModel;
import io.github.sanasr.model.TileModelFactory;
import io.github.sanasr.model.TileOutOfMemoryException;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The core of the plugin: restores one ImagePlus (any type, any C/Z/T layout) into a new one. Per plane:
 * read ({@link PlaneSource}), normalise ({@link Normalizer}), run the model tile by tile ({@link TilePlan},
 * {@link TileReader}, {@link TileBlender}), map back, optionally make it consistent with the input
 * ({@link ConsistencyProjection}), store ({@link OutputImage}), compare with the input ({@link FidelityMap}); the
 * record of it all goes into {@link Provenance}. Which model file runs (float32 or its bfloat16 variant) is
 * {@link PrecisionChooser}'s decision. The input is only read.
 * {@link #restore} keeps its state in local variables and opens its own predictor, so several threads may call
 * it at once; the loaded models are shared through a cache.
 */
public final class Restorer implements AutoCloseable {

	private static final Logger LOG = Logger.getLogger(Restorer.class.getName());
	public static final String GENERATIVE_STATEMENT = "The pixels of this image were computed by a generative " +
		"neural network (SANA-SR) from the input; they are a plausible reconstruction, not measurements. " +
		"Do not quantify fine detail that is absent from the input; see the fidelity map.";

	private final ModelRegistry registry;
	private final TileModelFactory factory;
	private Consumer<String> log = LOG::info;
	private CpuFeatures cpu = CpuFeatures.detect();

	public Restorer() {
		this(new ModelRegistry(), TileModelFactory.djl());
	}

	public Restorer(final ModelRegistry registry, final TileModelFactory factory) {
		this.registry = registry;
		this.factory = factory;
	}

	/** What the CPU can do, for the automatic precision; default: this machine's ({@link CpuFeatures#detect}). */
	public Restorer cpuFeatures(final CpuFeatures features) {
		cpu = features == null ? CpuFeatures.detect() : features;
		return this;
	}

	/** Which model runs for these options (the named one or its variant), on this host's CPU. */
	private PrecisionChooser.Choice modelToRun(final RestoreOptions options, final boolean onGpu) throws ModelException {
		return new PrecisionChooser(registry, cpu).choose(registry.resolve(options.model()), options.precision(), onGpu);
	}

	/** Where notes for the user go (device used, retries); default: java.util.logging. */
	public Restorer log(final Consumer<String> sink) {
		log = sink == null ? s -> {} : sink;
		return this;
	}

	public RestoreResult restore(final ImagePlus input, final RestoreOptions options, final ProgressListener progress)
		throws RestoreException
	{
		return restore(input, options, progress, null);
	}

	/**
	 * A restoration whose model outputs were computed elsewhere ({@link #restoreBand}, e.g. on a cluster):
	 * no model runs here; everything else is the same code as {@link #restore}, so the result is the same image.
	 * The options must name a fixed tile size (the one the bands were computed with).
	 */
	public RestoreResult assemble(final ImagePlus input, final RestoreOptions options, final ProgressListener progress,
		final PlaneOutputs outputs) throws RestoreException
	{
		if (outputs == null) throw new RestoreException("No model outputs given");
		if (options != null && options.tile() == RestoreOptions.AUTO_TILE) throw new RestoreException(
			"Assembling needs the fixed tile size the model outputs were computed with, not auto");
		return restore(input, options, progress, outputs);
	}

	private RestoreResult restore(final ImagePlus input, final RestoreOptions options, ProgressListener progress,
		final PlaneOutputs outputs) throws RestoreException
	{
		if (input == null) throw new RestoreException("No image to restore");
		if (options == null) throw new RestoreException("No options given");
		if (progress == null) progress = ProgressListener.NONE;
		final long start = System.nanoTime();
		final PlaneSource source;
		try {
			source = new PlaneSource(input);
		}
		catch (final IllegalArgumentException e) {
			throw new RestoreException("Cannot read " + input.getTitle() + ": " + e.getMessage());
		}
		final PrecisionChooser.Choice chosen = modelToRun(options, outputs == null ? factory.onGpu(options.device())
			: outputs.device().startsWith("gpu"));
		final ModelDescriptor d = chosen.model();
		final int nativeScale = d.scale(), scale = options.scale();
		if (scale > nativeScale) throw new RestoreException("Scale " + scale + " is larger than the model's native x" +
			nativeScale + "; choose a scale from 2 to " + nativeScale);
		final int prompt = d.promptIndex(options.prompt());
		final int w = input.getWidth(), h = input.getHeight();
		checkSize(input, scale, source, options);
		final int[][] groups = groups(source.components(), d.inputChannels(), d);
		final List<String> notes = new ArrayList<>();
		if (source.kind() == PlaneSource.Kind.INDEXED) notes.add("indexed colour input converted to RGB through its colour table");

		final int nC = input.getNChannels(), nZ = input.getNSlices(), nT = input.getNFrames();
		final OutputImage out = new OutputImage(input, source.kind(), scale, options.float32Output());
		final FidelityMap fidelity = new FidelityMap(input, source.components(), scale, options.fidelityMap());
		final NormalisationRecord norms = new NormalisationRecord(input, source);
		final String device;
		int tile;
		final Run run;
		try (TileModel model = outputs == null ? factory.open(d, options.device()) : null) {
			device = outputs == null ? model.device() : outputs.device();
			log.accept("SANA-SR: running " + d.name() + " (" + d.precision() + ", " + chosen.reason() + ") on " + device);
			if (options.tile() != RestoreOptions.AUTO_TILE) tile = options.tile();
			else tile = TileSizer.auto(model.availableMemory(), d.bytesPerOutputPixel(), nativeScale, d.stride(), d.halo());
			final TilePlan first = new TilePlan(w, h, tile, d.stride(), d.halo());
			if (options.tile() != RestoreOptions.AUTO_TILE && first.tileSize() != options.tile()) notes.add("tile " +
				options.tile() + " adjusted to " + first.tileSize() + " (stride " + d.stride() + ", overlap " + first.overlap() + ")");
			tile = first.tileSize();
			run = new Run(model, d, prompt, nativeScale, scale, progress, (long) nC * nZ * nT * groups.length, first.count());
			if (outputs != null) run.tiles = first.count();
			int group = 0;
			for (int t = 1; t <= nT; t++)
				for (int z = 1; z <= nZ; z++)
					for (int c = 1; c <= nC; c++) {
						final float[][] measured = source.read(c, z, t);
						final float[][] result = new float[measured.length][];
						final double[] ranges = new double[measured.length];
						group = 0;
						for (final int[] g : groups) {
							final float[][] in = new float[g.length][];
							for (int k = 0; k < g.length; k++)
								in[k] = measured[g[k]];
							final Normalizer nz = Normalizer.fit(in, options.lowPercentile(), options.highPercentile());
							final float[][] normed = new float[g.length][];
							for (int k = 0; k < g.length; k++)
								normed[k] = nz.forward(in[k]);
							final String where = "c" + c + " z" + z + " t" + t;
							final float[][] up;
							if (outputs == null) {
								up = run.plane(normed, w, h, tile, where, notes);
								tile = run.tile;
							}
							else up = checked(outputs.plane(c, z, t, group), g.length, (long) w * scale * h * scale, where);
							group++;
							for (int k = 0; k < g.length; k++) {
								nz.inverse(up[k]);
								if (nz.nonFinite() > 0) maskNonFinite(up[k], in[k], w, h, scale);
								result[g[k]] = up[k];
								ranges[g[k]] = nz.range();
							}
							norms.add(c, g, nz);
						}
						if (options.consistency()) for (int k = 0; k < result.length; k++)
							ConsistencyProjection.project(result[k], measured[k], w, h, scale);
						final float[][] stored = out.setPlane(c, z, t, result);
						fidelity.add(c, z, t, measured, stored, ranges);
					}
		}
		catch (final OutOfMemoryError e) {
			throw new RestoreException("Not enough Java memory for a " + (long) w * scale + "x" + (long) h * scale +
				" output: raise the memory in Edit > Options > Memory & Threads, crop the image, or use a smaller scale.", e);
		}
		final String title = outputTitle(input, scale);
		final ImagePlus image = out.build(title);
		final ImagePlus map = fidelity.build(title + "-fidelity");

		final Provenance p = new Provenance();
		p.put("sanasr_plugin", "SANA-SR for Fiji").put("sanasr_plugin_version", pluginVersion());
		p.put("model_name", d.name()).put("model_version", d.version()).put("model_sha256", d.sha256())
			.put("model_file", d.modelFile());
		// the precision that ran (float32 or bfloat16): it changes pixels, so it belongs to a run's identity
		p.put("precision", d.precision()).put("precision_choice", chosen.reason());
		if (chosen.isVariant()) p.put("model_requested", chosen.named().name());
		p.put("scale", scale).put("model_scale", nativeScale)
			.put("resampling", scale == nativeScale ? "none" : "area average of the model's x" + nativeScale + " output to x" + scale);
		p.put("tile_size", tile).put("tile_overlap", TilePlan.overlapFor(d.stride(), d.halo()))
			.put("tile_margin", TilePlan.roundUp(d.halo(), d.stride())).put("tile_stride", d.stride()).put("tiles", run.tiles);
		p.put("normalisation", "robust percentiles per plane" + (source.components() == 3 && groups.length == 1 ? " (R, G, B together)" : " and channel"));
		p.put("normalisation_percentiles", fmt(options.lowPercentile()) + "-" + fmt(options.highPercentile()));
		p.put("normalisation_values", norms.text());
		p.put("prompt", d.prompts().get(prompt)).put("device", device)
			.put("threads", Runtime.getRuntime().availableProcessors());
		p.put("run_time_s", String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9))
			.put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS));
		p.put("input_title", input.getTitle()).put("input_path", inputPath(input))
			.put("input_dimensions", dimensions(input)).put("input_type", source.kind().name().toLowerCase(Locale.ROOT));
		p.put("output_dimensions", dimensions(image)).put("output_type", out.type().name().toLowerCase(Locale.ROOT));
		p.put("fidelity_degradation", degradationNote(d));
		p.put("consistency", options.consistency());
		if (options.consistency()) p.put("consistency_projection", "binning: each " + scale + "x" + scale +
			" block's mean set to the input pixel, before conversion to " + out.type().name().toLowerCase(Locale.ROOT));
		p.put("fidelity_rms", String.format(Locale.ROOT, "%.6g", fidelity.rms()));
		if (!notes.isEmpty()) p.put("notes", String.join("; ", notes));
		p.put("generative", d.generative());
		p.put("statement", GENERATIVE_STATEMENT);
		if (outputs != null) outputs.provenance().forEach(p::put);
		Provenances.attach(image, p, input);
		if (map != null) Provenances.attach(map, p, null);
		log.accept("SANA-SR: " + title + " done on " + device + " in " + p.entries().get("run_time_s") + " s");
		return new RestoreResult(image, map, p);
	}

	/**
	 * The model's part of one plane (1-based c, z, t) for output rows [rowFrom, rowTo): the plane is read and
	 * normalised as in {@link #restore}, and only the tiles that reach into those rows are run and blended, in
	 * the same order, so the band equals those rows of a whole-plane restoration bit for bit. The options must
	 * name a fixed tile size (every band of a job uses the same tiling); there is no retry with smaller tiles.
	 */
	public PlaneOutputs.Band restoreBand(final ImagePlus input, final RestoreOptions options, final int c, final int z,
		final int t, final int rowFrom, final int rowTo, ProgressListener progress) throws RestoreException
	{
		if (input == null) throw new RestoreException("No image to restore");
		if (options == null) throw new RestoreException("No options given");
		if (options.tile() == RestoreOptions.AUTO_TILE) throw new RestoreException(
			"A band needs a fixed tile size (every band of a plane must use the same tiling), not auto");
		if (progress == null) progress = ProgressListener.NONE;
		final PlaneSource source;
		try {
			source = new PlaneSource(input);
		}
		catch (final IllegalArgumentException e) {
			throw new RestoreException("Cannot read " + input.getTitle() + ": " + e.getMessage());
		}
		final ModelDescriptor d = modelToRun(options, factory.onGpu(options.device())).model();
		final int nativeScale = d.scale(), scale = options.scale();
		if (scale > nativeScale) throw new RestoreException("Scale " + scale + " is larger than the model's native x" +
			nativeScale + "; choose a scale from 2 to " + nativeScale);
		final int prompt = d.promptIndex(options.prompt());
		final int w = input.getWidth(), h = input.getHeight();
		final int[][] groups = groups(source.components(), d.inputChannels(), d);
		final TilePlan plan = new TilePlan(w, h, options.tile(), d.stride(), d.halo());
		final float[][][] bands = new float[groups.length][][];
		final String device;
		try (TileModel model = factory.open(d, options.device())) {
			device = model.device();
			final Run run = new Run(model, d, prompt, nativeScale, scale, progress, groups.length, plan.count());
			run.rowFrom = rowFrom;
			run.rowTo = rowTo;
			final float[][] measured = source.read(c, z, t);
			for (int gi = 0; gi < groups.length; gi++) {
				final int[] g = groups[gi];
				final float[][] in = new float[g.length][];
				for (int k = 0; k < g.length; k++)
					in[k] = measured[g[k]];
				final Normalizer nz = Normalizer.fit(in, options.lowPercentile(), options.highPercentile());
				final float[][] normed = new float[g.length][];
				for (int k = 0; k < g.length; k++)
					normed[k] = nz.forward(in[k]);
				bands[gi] = run.tiles(plan, normed, "c" + c + " z" + z + " t" + t + " rows " + rowFrom + "-" + rowTo);
			}
			return new PlaneOutputs.Band(bands, rowFrom, rowTo, run.tilesRun, device);
		}
		catch (final TileOutOfMemoryException | OutOfMemoryError e) {
			throw new RestoreException("Out of memory with tile " + plan.tileSize() + " on a band of " + (rowTo - rowFrom) +
				" output rows: give the executors more memory, or a smaller memory budget per task (more bands).", e);
		}
	}

	private static float[][] checked(final float[][] up, final int components, final long pixels, final String where)
		throws RestoreException
	{
		if (up == null || up.length != components) throw new RestoreException("Model outputs for " + where + " missing");
		for (final float[] a : up)
			if (a == null || a.length != pixels) throw new RestoreException("Model outputs for " + where + " have the wrong size");
		return up;
	}

	@Override
	public void close() {
		// models are cached across restorations (SrModel.clearCache frees them); nothing per instance
	}

	/** Refuses, before any work, outputs that ImageJ cannot hold or that clearly do not fit into memory. */
	private static void checkSize(final ImagePlus input, final int scale, final PlaneSource source,
		final RestoreOptions options) throws RestoreException
	{
		final long ow = (long) input.getWidth() * scale, oh = (long) input.getHeight() * scale;
		if (ow * oh > Integer.MAX_VALUE) throw new RestoreException(String.format(Locale.ROOT,
			"The output plane would be %d x %d = %d pixels, over ImageJ's limit of 2^31-1 pixels per plane. " +
				"Crop the image (e.g. into quarters) or use scale 2.", ow, oh, ow * oh));
		final long planes = (long) input.getNChannels() * input.getNSlices() * input.getNFrames();
		final long outBytes = ow * oh * planes * OutputImage.bytesPerPixel(OutputImage.typeFor(source.kind(),
			options.float32Output()));
		final long working = ow * oh * 4L * (source.components() + 2);
		final Runtime rt = Runtime.getRuntime();
		final long heapFree = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		if (outBytes + working > heapFree) throw new RestoreException(String.format(Locale.ROOT,
			"The output needs about %d MB of Java memory but only %d MB are free: raise the memory in Edit > Options > " +
				"Memory & Threads, crop the image, process fewer planes, or use a smaller scale.", (outBytes + working) >> 20,
			heapFree >> 20));
	}

	/** Which image components go into one model call together. */
	private static int[][] groups(final int components, final int modelChannels, final ModelDescriptor d)
		throws ModelException
	{
		if (components == modelChannels) {
			final int[] all = new int[components];
			for (int k = 0; k < components; k++)
				all[k] = k;
			return new int[][] { all };
		}
		if (modelChannels == 1) {
			final int[][] each = new int[components][];
			for (int k = 0; k < components; k++)
				each[k] = new int[] { k };
			return each;
		}
		if (components == 1) return new int[][] { { 0 } }; // grey repeated into the model's channels
		throw new ModelException("Model " + d.name() + " takes " + modelChannels + " channels; cannot feed " + components);
	}

	/** NaN in the output where the input pixel under it was NaN or infinite. */
	private static void maskNonFinite(final float[] out, final float[] in, final int w, final int h, final int s) {
		final int ow = w * s;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				if (!Float.isFinite(in[y * w + x])) for (int dy = 0; dy < s; dy++)
					java.util.Arrays.fill(out, (y * s + dy) * ow + x * s, (y * s + dy) * ow + x * s + s, Float.NaN);
	}

	/** {@code <input without extension>-SANA-SR-x<scale>}. */
	public static String outputTitle(final ImagePlus input, final int scale) {
		String t = input.getTitle() == null || input.getTitle().isBlank() ? "image" : input.getTitle();
		t = t.replaceFirst("(?i)\\.(ome\\.tiff?|tiff?|png|jpe?g|gif|bmp|zip|czi|nd2|lif|lsm|ics|ids|dv|fits?)$", "");
		return t + "-SANA-SR-x" + scale;
	}

	private static String inputPath(final ImagePlus input) {
		final FileInfo fi = input.getOriginalFileInfo();
		if (fi == null || fi.fileName == null || fi.fileName.isEmpty()) return "(not saved)";
		return fi.directory == null ? fi.fileName : fi.directory + fi.fileName;
	}

	static String dimensions(final ImagePlus imp) {
		return imp.getWidth() + "x" + imp.getHeight() + " c" + imp.getNChannels() + " z" + imp.getNSlices() + " t" +
			imp.getNFrames() + " " + imp.getBitDepth() + "-bit";
	}

	private static String degradationNote(final ModelDescriptor d) {
		final String t = d.degradationType();
		if ("area".equalsIgnoreCase(t)) return "area (mean over scale x scale blocks)";
		return "area (the model names '" + t + "', which the plugin does not implement; area used)";
	}

	static String fmt(final double v) {
		if (!Double.isFinite(v)) return Double.toString(v);
		return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
	}

	static String pluginVersion() {
		try (java.io.InputStream in = Restorer.class.getResourceAsStream(
			"/META-INF/maven/io.github.sanasr/sana-sr-fiji/pom.properties"))
		{
			if (in != null) {
				final java.util.Properties p = new java.util.Properties();
				p.load(in);
				return p.getProperty("version", "unknown");
			}
		}
		catch (final java.io.IOException e) {
			// fall through
		}
		final String v = Restorer.class.getPackage().getImplementationVersion();
		return v != null ? v : "development build";
	}

	/** One restoration's tile loop state: progress counters and the current tile size (shrinks on OOM). */
	private final class Run {
		final TileModel model;
		final ModelDescriptor d;
		final int prompt, nativeScale, scale;
		final ProgressListener progress;
		final long planesTotal;
		long planesDone, done, total;
		int tile, tiles, tilesRun;
		/** Output rows blended (a band); all by default. */
		int rowFrom = 0, rowTo = Integer.MAX_VALUE;

		Run(final TileModel model, final ModelDescriptor d, final int prompt, final int nativeScale, final int scale,
			final ProgressListener progress, final long planesTotal, final int tilesPerPlane)
		{
			this.model = model;
			this.d = d;
			this.prompt = prompt;
			this.nativeScale = nativeScale;
			this.scale = scale;
			this.progress = progress;
			this.planesTotal = planesTotal;
			this.total = planesTotal * tilesPerPlane;
		}

		/** One plane (one channel group), retried with smaller tiles while memory runs out. */
		float[][] plane(final float[][] normed, final int w, final int h, final int wantedTile, final String where,
			final List<String> notes) throws RestoreException
		{
			tile = wantedTile;
			while (true) {
				final TilePlan plan = new TilePlan(w, h, tile, d.stride(), d.halo());
				tiles = plan.count();
				total = done + (planesTotal - planesDone) * plan.count();
				final long doneBefore = done;
				try {
					final float[][] r = tiles(plan, normed, where);
					planesDone++;
					return r;
				}
				catch (final TileOutOfMemoryException | OutOfMemoryError e) {
					final int smaller = TileSizer.smaller(plan.tileSize(), d.stride(), d.halo());
					if (smaller < 0) throw new RestoreException("Out of memory even with the smallest tile (" + plan.tileSize() +
						" px) on " + model.device() + ": free memory, close other images, or use device=cpu.", e);
					final String note = "out of memory with tile " + plan.tileSize() + " (" + where + "): retried with tile " + smaller;
					log.accept("SANA-SR: " + note);
					notes.add(note);
					done = doneBefore;
					tile = smaller;
				}
			}
		}

		private float[][] tiles(final TilePlan plan, final float[][] normed, final String where) throws RestoreException {
			final int channels = normed.length, modelChannels = d.inputChannels();
			final TileReader reader = new TileReader(normed, plan.width(), plan.height(), modelChannels);
			final TileBlender blender = new TileBlender(plan, scale, channels, rowFrom, rowTo);
			int i = 0;
			for (final TilePlan.Tile t : plan.tiles()) {
				if (!blender.touches(t)) continue;
				tilesRun++;
				if (progress.isCancelled()) throw new RestoreCancelledException();
				final float[] in = reader.read(t);
				float[] y = model.predict(in, modelChannels, t.height, t.width, prompt);
				final int tw = t.width * nativeScale, th = t.height * nativeScale;
				if (y == null || y.length != (long) modelChannels * tw * th) throw new ModelException("The model " +
					d.modelFile() + " returned " + (y == null ? "nothing" : y.length + " values") + " for a " + t.width + "x" +
					t.height + " tile; its descriptor " + d.descriptorFile() + " promises " + modelChannels + "x" + th + "x" + tw);
				if (channels != modelChannels) y = meanOfChannels(y, modelChannels, tw * th);
				y = AreaResampler.shrink(y, channels, tw, th, nativeScale, scale);
				blender.add(t, y);
				progress.progress(++done, total, "SANA-SR " + where + ": tile " + ++i + "/" + plan.count());
			}
			if (progress.isCancelled()) throw new RestoreCancelledException();
			return blender.result();
		}
	}

	/** Grey planes fed as repeated channels come back as the mean of the model's channels. */
	private static float[] meanOfChannels(final float[] chw, final int channels, final int n) {
		final float[] m = new float[n];
		for (int c = 0; c < channels; c++)
			for (int i = 0; i < n; i++)
				m[i] += chw[c * n + i];
		for (int i = 0; i < n; i++)
			m[i] /= channels;
		return m;
	}
}
