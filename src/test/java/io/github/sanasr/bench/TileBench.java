package io.github.sanasr.bench;

import ij.ImagePlus;
import io.github.sanasr.core.ProgressListener;
import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.RestoreResult;
import io.github.sanasr.core.Restorer;
import io.github.sanasr.core.TilePlan;
import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelRegistry;
import io.github.sanasr.model.TileModel;
import io.github.sanasr.model.TileModelFactory;

import com.google.gson.Gson;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark JVM: one model, one input size, on the CPU, with libtorch's intra-op thread count fixed by the
 * caller ({@code -Dai.djl.pytorch.num_threads=T}, read by DJL's engine when it starts, before
 * {@code DjlSetup} would choose the machine's core count). Prints one {@code BENCH {json}} line per mode:
 * <ul>
 * <li>{@code model}: {@link TileModel#predict} alone on one N x N tile (output 4N x 4N) — warm per-tile latency;</li>
 * <li>{@code restorer}: the plugin's {@link Restorer} on an N x N RGB image with a tile that covers it in one
 * network call (N plus the mirrored margins), so the difference to {@code model} is the Java path;</li>
 * <li>{@code tiled}: the Restorer on the same image with tiles of N/2, i.e. several tiles, overlap and blending.</li>
 * </ul>
 * Each mode: warm-up runs, then repeated runs; time, share outside the network, peak RSS over the baseline
 * and peak heap. A fresh JVM per size keeps the memory peaks of one size from hiding in the next.
 *
 * <p>{@code java -Dai.djl.pytorch.num_threads=1 ... TileBench --model DIR --size 128 [--warmup 1] [--reps 5]
 * [--min-seconds 2] [--modes model,restorer,tiled]}</p> Runs are repeated at least {@code reps} times and,
 * for fast tiles, until {@code min-seconds} have passed (at most 10 x reps), so small tiles are not all noise.
 */
public final class TileBench {

	public static final String PREFIX = "BENCH ";

	private TileBench() {}

	public static void main(final String[] args) throws Exception {
		final Map<String, String> a = Args.parse(args);
		final String modelSpec = Args.required(a, "model");
		final int size = Integer.parseInt(Args.required(a, "size"));
		final int warmup = Integer.parseInt(a.getOrDefault("warmup", "1"));
		final int reps = Integer.parseInt(a.getOrDefault("reps", "5"));
		final double minSeconds = Double.parseDouble(a.getOrDefault("min-seconds", "2"));
		final List<String> modes = Arrays.asList(a.getOrDefault("modes", "model,restorer,tiled").split(","));
		final Gson gson = new Gson();
		for (final Map<String, Object> r : run(modelSpec, size, warmup, reps, minSeconds, modes))
			System.out.println(PREFIX + gson.toJson(r));
		System.out.flush();
		// libtorch's threads can keep a JVM alive past main on some builds
		System.exit(0);
	}

	public static List<Map<String, Object>> run(final String modelSpec, final int size, final int warmup,
		final int reps, final double minSeconds, final List<String> modes) throws Exception
	{
		final ModelDescriptor d = new ModelRegistry().resolve(modelSpec);
		final int scale = d.scale(), ch = d.inputChannels();
		final ImagePlus image = BenchImages.rgb(size);
		final List<Map<String, Object>> out = new ArrayList<>();
		final MemoryProbe mem = new MemoryProbe();

		// load the model and start libtorch on a tiny tile, outside every measured section
		final long t0 = System.nanoTime();
		final int tiny = TilePlan.minimumTile(d.stride(), d.halo());
		try (TileModel m = TileModelFactory.djl().open(d, RestoreOptions.DeviceChoice.CPU)) {
			m.predict(new float[ch * tiny * tiny], ch, tiny, tiny, 0);
		}
		final double loadSeconds = (System.nanoTime() - t0) / 1e9;
		final int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();

		if (modes.contains("model")) {
			final float[] tile = BenchImages.chw(image, ch);
			final List<Double> t = new ArrayList<>();
			try (TileModel m = TileModelFactory.djl().open(d, RestoreOptions.DeviceChoice.CPU)) {
				for (int i = 0; i < warmup; i++)
					m.predict(tile, ch, size, size, 0);
				mem.start();
				final long begin = System.nanoTime();
				while (more(t.size(), reps, begin, minSeconds)) {
					final long s = System.nanoTime();
					m.predict(tile, ch, size, size, 0);
					t.add((System.nanoTime() - s) / 1e9);
				}
			}
			final Map<String, Object> r = record(d, "model", size, size, 1, (long) size * size, threads, loadSeconds,
				stats(t), mem);
			out.add(r);
		}
		for (final String mode : List.of("restorer", "tiled")) {
			if (!modes.contains(mode)) continue;
			final int margin = TilePlan.roundUp(d.halo(), d.stride());
			final int tile = mode.equals("restorer") ? TilePlan.roundUp(size + 2 * margin, d.stride()) : Math.max(
				size / 2, TilePlan.minimumTile(d.stride(), d.halo()));
			// the named file itself: precision=auto could run its bfloat16 variant instead
			final RestoreOptions options = RestoreOptions.builder().model(modelSpec).scale(scale).tile(tile)
				.device(RestoreOptions.DeviceChoice.CPU).precision(d.precision()).build();
			final TimedModels timed = new TimedModels(TileModelFactory.djl());
			final TilePlan plan = new TilePlan(size, size, tile, d.stride(), d.halo());
			final List<Double> t = new ArrayList<>(), outside = new ArrayList<>(), forward = new ArrayList<>();
			try (Restorer restorer = new Restorer(new ModelRegistry(), timed).log(s -> {})) {
				for (int i = 0; i < warmup; i++)
					restorer.restore(image, options, ProgressListener.NONE).image().flush();
				mem.start();
				final long begin = System.nanoTime();
				while (more(t.size(), reps, begin, minSeconds)) {
					timed.reset();
					final long s = System.nanoTime();
					final RestoreResult res = restorer.restore(image, options, ProgressListener.NONE);
					final double total = (System.nanoTime() - s) / 1e9;
					t.add(total);
					forward.add(timed.forwardSeconds());
					outside.add(1 - timed.forwardSeconds() / total);
					if (res.image().getWidth() != size * scale) throw new IllegalStateException("output size " +
						res.image().getWidth());
					res.image().flush();
				}
			}
			final Map<String, Object> r = record(d, mode, size, plan.tileSize(), plan.count(),
				(long) plan.count() * plan.tileSize() * plan.tileSize(), threads, loadSeconds, stats(t), mem);
			final Stats fwd = stats(forward), share = stats(outside);
			r.put("forward_median_s", fwd.median());
			r.put("outside_share_median", share.median());
			r.put("outside_share_min", share.min());
			r.put("outside_share_max", share.max());
			out.add(r);
		}
		return out;
	}

	/** At least {@code reps} runs, and more (up to 10x) while the runs so far took under {@code minSeconds}. */
	static boolean more(final int done, final int reps, final long beginNanos, final double minSeconds) {
		if (done < reps) return true;
		return done < 10 * reps && (System.nanoTime() - beginNanos) / 1e9 < minSeconds;
	}

	private static Stats stats(final List<Double> v) {
		return Stats.of(v.stream().mapToDouble(Double::doubleValue).toArray());
	}

	private static Map<String, Object> record(final ModelDescriptor d, final String mode, final int size,
		final int netTile, final int tiles, final long netInputPixels, final int threads, final double loadSeconds,
		final Stats t, final MemoryProbe mem)
	{
		final long outPixels = (long) size * d.scale() * size * d.scale();
		final long peakRss = mem.peakRss();
		final Map<String, Object> r = new LinkedHashMap<>();
		r.put("model", d.name());
		r.put("model_file", d.modelFile().getFileName().toString());
		r.put("mode", mode);
		r.put("threads", threads);
		r.put("input_side", size);
		r.put("output_side", size * d.scale());
		r.put("net_tile_side", netTile);
		r.put("tiles", tiles);
		r.put("net_input_pixels", netInputPixels);
		r.put("reps", t.n());
		r.put("median_s", t.median());
		r.put("min_s", t.min());
		r.put("max_s", t.max());
		r.put("output_mpix_per_s", outPixels / 1e6 / t.median());
		r.put("ns_per_output_pixel", t.median() * 1e9 / outPixels);
		r.put("baseline_rss_bytes", mem.baselineRss());
		r.put("peak_rss_bytes", peakRss);
		r.put("peak_rss_over_baseline_bytes", peakRss - mem.baselineRss());
		r.put("rss_bytes_per_output_pixel", (peakRss - mem.baselineRss()) / (double) outPixels);
		r.put("rss_peak_resettable", mem.peakResettable());
		// with the heap pre-touched (as ChildJvm starts it), the resident set is the heap plus native memory
		r.put("peak_native_bytes_approx", peakRss - Runtime.getRuntime().totalMemory());
		r.put("peak_heap_bytes", MemoryProbe.peakHeap());
		r.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
		r.put("model_load_s", loadSeconds);
		return r;
	}
}
