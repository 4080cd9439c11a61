package io.github.sanasr.core;

import ij.ImagePlus;
import io.github.sanasr.model.CpuFeatures;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.PrecisionChooser;
import io.github.sanasr.model.TileModel;
import io.github.sanasr.model.TileModelFactory;
import io.github.sanasr.model.TileOutOfMemoryException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The core of the plugin: restores one ImagePlus (any type, any C/Z/T layout) into a new one, as a sequence of
 * named steps: resolve the options against the model ({@link ResolvedOptions}; which model file runs, float32
 * or its bfloat16 variant, is {@link PrecisionChooser}'s decision), check the output fits
 * ({@link OutputSizeCheck}), and per plane: read ({@link PlaneSource}), normalise each channel group
 * ({@link ChannelGroups}, {@link NormalisedGroup}), run the model tile by tile ({@link TileRunner}), map back,
 * optionally make it consistent with the input ({@link ConsistencyProjection}), store ({@link OutputImage}),
 * compare with the input and measure the detail the input could not hold ({@link FidelityMap}); the record of
 * it all is {@link RestoreProvenance}. A band of a plane ({@link #restoreBand}) and an assembly of model outputs
 * computed elsewhere ({@link #assemble}) go through the same steps. The input is only read. {@link #restore} keeps its state in local variables and
 * opens its own predictor, so several threads may call it at once; the loaded models are shared through a
 * cache.
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

	/**
	 * The options resolved on this host: the model file that runs (the named one or its variant) depends on this
	 * CPU and on whether the model runs on a GPU.
	 */
	private ResolvedOptions resolve(final RestoreOptions options, final boolean onGpu) throws RestoreException {
		if (options == null) throw new RestoreException("No options given");
		return ResolvedOptions.of(registry, cpu, onGpu, options);
	}

	/**
	 * As {@link #resolve(RestoreOptions, boolean)} for a model opened here, on the device the options choose; only
	 * precision=auto asks where that is (a fixed precision runs the same file anywhere).
	 */
	private ResolvedOptions resolve(final RestoreOptions options) throws RestoreException {
		if (options == null) throw new RestoreException("No options given");
		return resolve(options, options.precision() == RestoreOptions.PrecisionChoice.AUTO &&
			factory.onGpu(options.device()));
	}

	/** Where notes for the user go (device used, retries); default: java.util.logging. */
	public Restorer log(final Consumer<String> sink) {
		log = sink == null ? s -> {} : sink;
		return this;
	}

	/**
	 * Checks options before a job's first image: the model exists, its file is there and matches its
	 * checksum, the prompt and the scale are the model's.
	 */
	public void check(final RestoreOptions options) throws RestoreException {
		resolve(options).model().verifyFile();
	}

	/**
	 * The provenance entries by which a rerun recognises an output of these options (SHA-256 of the model file
	 * that runs, the precision it runs in, resolved prompt, {@link RestoreOptions#pixelOptions()}); every
	 * restoration on this host records them with these values.
	 */
	public Map<String, String> identity(final RestoreOptions options) throws RestoreException {
		return resolve(options).identity();
	}

	public RestoreResult restore(final ImagePlus input, final RestoreOptions options, final ProgressListener progress)
		throws RestoreException
	{
		return restore(input, options, progress, null);
	}

	/**
	 * A restoration whose model outputs were computed elsewhere ({@link #restoreBand}, e.g. on a cluster):
	 * no model runs here; everything else is the same code as {@link #restore}, so the result is the same image.
	 * The tile size is the outputs' ({@link PlaneOutputs#tileSize()}), else the options' fixed one.
	 */
	public RestoreResult assemble(final ImagePlus input, final RestoreOptions options, final ProgressListener progress,
		final PlaneOutputs outputs) throws RestoreException
	{
		if (outputs == null) throw new RestoreException("No model outputs given");
		if (outputs.tileSize() == RestoreOptions.AUTO_TILE && options != null &&
			options.tile() == RestoreOptions.AUTO_TILE) throw new RestoreException(
				"Assembling needs the tile size the model outputs were computed with, not auto");
		return restore(input, options, progress, outputs);
	}

	private RestoreResult restore(final ImagePlus input, final RestoreOptions options, final ProgressListener listener,
		final PlaneOutputs outputs) throws RestoreException
	{
		final long start = System.nanoTime();
		final ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
		final PlaneSource source = source(input);
		final ResolvedOptions r = outputs == null ? resolve(options) : resolve(options, outputs.device().startsWith("gpu"));
		final ModelDescriptor d = r.model();
		final int scale = r.scale(), w = input.getWidth(), h = input.getHeight();
		OutputSizeCheck.check(input, scale, source, options);
		final int[][] groups = ChannelGroups.of(source.components(), d);
		final List<String> notes = new ArrayList<>();
		if (source.kind() == PlaneSource.Kind.INDEXED) notes.add("indexed colour input converted to RGB through its colour table");

		final int nC = input.getNChannels(), nZ = input.getNSlices(), nT = input.getNFrames();
		final OutputImage out = new OutputImage(input, source.kind(), scale, options.float32Output());
		final FidelityMap fidelity = new FidelityMap(input, source.components(), scale, options.fidelityMap());
		final NormalisationRecord norms = new NormalisationRecord(input, source);
		final String device;
		final TileRunner runner;
		try (TileModel model = outputs == null ? factory.open(d, options.device()) : null) {
			device = outputs == null ? model.device() : outputs.device();
			log.accept("SANA-SR: running " + d.name() + " (" + d.precision() + ", " + r.choice().reason() + ") on " +
				device);
			final int wanted = outputs == null ? TileRunner.firstTile(options, model, d)
				: outputs.tileSize() != RestoreOptions.AUTO_TILE ? outputs.tileSize() : options.tile();
			final TilePlan first = new TilePlan(w, h, wanted, d.stride(), d.halo());
			if (options.tile() != RestoreOptions.AUTO_TILE && first.tileSize() != options.tile()) notes.add("tile " +
				options.tile() + " adjusted to " + first.tileSize() + " (stride " + d.stride() + ", overlap " + first.overlap() + ")");
			if (outputs != null) notes.addAll(outputs.notes());
			runner = new TileRunner(model, r, progress, log, (long) nC * nZ * nT * groups.length, first.tileSize(),
				first.count());
			for (int t = 1; t <= nT; t++)
				for (int z = 1; z <= nZ; z++)
					for (int c = 1; c <= nC; c++) {
						final float[][] measured = source.read(c, z, t);
						final float[][] result = new float[measured.length][];
						final double[] ranges = new double[measured.length];
						for (int gi = 0; gi < groups.length; gi++) {
							final NormalisedGroup g = NormalisedGroup.of(measured, groups[gi], options);
							final String where = "c" + c + " z" + z + " t" + t;
							final float[][] up = outputs == null ? runner.plane(g.normalised, w, h, where, notes)
								: checked(outputs.plane(c, z, t, gi), g.group.length, (long) w * scale * h * scale, where);
							g.mapBack(up, w, h, scale, result, ranges);
							norms.add(c, g.group, g.normalizer);
						}
						if (options.consistency()) ConsistencyProjection.projectPlane(result, measured, w, h, scale);
						final float[][] stored = out.setPlane(c, z, t, result);
						fidelity.add(c, z, t, measured, stored, ranges);
					}
		}
		catch (final OutOfMemoryError e) {
			throw new RestoreException("Too large: not enough Java memory for a " + (long) w * scale + "x" +
				(long) h * scale + " output: raise the memory in Edit > Options > Memory & Threads, crop the image, or use " +
				"a smaller scale.", e);
		}
		final String title = outputTitle(input, scale);
		final ImagePlus image = out.build(title);
		final ImagePlus map = fidelity.build(title + "-fidelity");
		final Provenance p = RestoreProvenance.of(r, new RestoreProvenance.Run(input, source, groups.length, image,
			out.type(), device, runner.tile(), runner.tilesPerPlane(), norms.text(), fidelity.rms(), fidelity.inventedRms(),
			notes, start, outputs == null ? null : outputs.provenance()));
		Provenances.attach(image, p, input);
		if (map != null) Provenances.attach(map, p, null);
		log.accept("SANA-SR: " + title + " done on " + device + " in " + p.entries().get("run_time_s") + " s");
		return new RestoreResult(image, map, p);
	}

	/**
	 * The model's part of one plane (1-based c, z, t) for output rows [rowFrom, rowTo): the plane is read and
	 * normalised as in {@link #restore}, and only the tiles that reach into those rows are run and blended, in
	 * the same order, so the band equals those rows of a whole-plane restoration bit for bit. A band that is
	 * the whole plane is run exactly as {@link #restore} runs a plane: the automatic tile size is allowed and
	 * chosen the same way, and memory errors are retried with smaller tiles. A part of a plane needs a fixed
	 * tile size (every band of a plane must use the same tiling) and is not retried.
	 */
	public PlaneOutputs.Band restoreBand(final ImagePlus input, final RestoreOptions options, final int c, final int z,
		final int t, final int rowFrom, final int rowTo, final ProgressListener listener) throws RestoreException
	{
		final ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
		final PlaneSource source = source(input);
		final ResolvedOptions r = resolve(options);
		final ModelDescriptor d = r.model();
		final int w = input.getWidth(), h = input.getHeight();
		final boolean wholePlane = rowFrom <= 0 && rowTo >= (long) h * r.scale();
		if (!wholePlane && options.tile() == RestoreOptions.AUTO_TILE) throw new RestoreException(
			"A band needs a fixed tile size (every band of a plane must use the same tiling), not auto");
		final int[][] groups = ChannelGroups.of(source.components(), d);
		final float[][][] bands = new float[groups.length][][];
		final List<String> notes = new ArrayList<>();
		int tile = options.tile();
		try (TileModel model = factory.open(d, options.device())) {
			final TilePlan first = new TilePlan(w, h, TileRunner.firstTile(options, model, d), d.stride(), d.halo());
			tile = first.tileSize();
			final TileRunner runner = new TileRunner(model, r, progress, log, groups.length, first.tileSize(),
				first.count());
			final float[][] measured = source.read(c, z, t);
			final String where = "c" + c + " z" + z + " t" + t + (wholePlane ? "" : " rows " + rowFrom + "-" + rowTo);
			for (int gi = 0; gi < groups.length; gi++) {
				final NormalisedGroup g = NormalisedGroup.of(measured, groups[gi], options);
				bands[gi] = wholePlane ? runner.plane(g.normalised, w, h, where, notes)
					: runner.band(first, g.normalised, rowFrom, rowTo, where);
			}
			return new PlaneOutputs.Band(bands, rowFrom, rowTo, runner.tilesRun(), model.device(), runner.tile(),
				List.copyOf(notes));
		}
		catch (final TileOutOfMemoryException | OutOfMemoryError e) {
			throw new RestoreException("Out of memory with tile " + tile + " on a band of " + (rowTo - rowFrom) +
				" output rows: give the executors more memory, or a smaller memory budget per task (more bands).", e);
		}
	}

	private static PlaneSource source(final ImagePlus input) throws RestoreException {
		if (input == null) throw new RestoreException("No image to restore");
		try {
			return new PlaneSource(input);
		}
		catch (final IllegalArgumentException e) {
			throw new RestoreException("Cannot read " + input.getTitle() + ": " + e.getMessage());
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

	/** {@code <input without extension>-SANA-SR-x<scale>}. */
	public static String outputTitle(final ImagePlus input, final int scale) {
		String t = input.getTitle() == null || input.getTitle().isBlank() ? "image" : input.getTitle();
		t = t.replaceFirst("(?i)\\.(ome\\.tiff?|tiff?|png|jpe?g|gif|bmp|zip|czi|nd2|lif|lsm|ics|ids|dv|fits?)$", "");
		return t + "-SANA-SR-x" + scale;
	}

	static String dimensions(final ImagePlus imp) {
		return imp.getWidth() + "x" + imp.getHeight() + " c" + imp.getNChannels() + " z" + imp.getNSlices() + " t" +
			imp.getNFrames() + " " + imp.getBitDepth() + "-bit";
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
}
