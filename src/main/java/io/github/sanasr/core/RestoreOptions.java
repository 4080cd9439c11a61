package io.github.sanasr.core;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a restoration needs besides the image: immutable, built once by a command, the batch runner or
 * the command line, and handed to {@link Restorer}.
 */
public final class RestoreOptions {

	/** Name of the model shipped with the plugin and used when none is given. */
	public static final String DEFAULT_MODEL = "sana-sr-compact-x4";
	/** Tile size 0 means: choose from free memory. */
	public static final int AUTO_TILE = 0;

	public enum DeviceChoice {
		AUTO, CPU, GPU;

		public static DeviceChoice parse(final String s) {
			try {
				return valueOf(s.trim().toUpperCase(Locale.ROOT));
			}
			catch (final IllegalArgumentException | NullPointerException e) {
				throw new IllegalArgumentException("device must be auto, cpu or gpu, not '" + s + "'");
			}
		}
	}

	/** The number type the network runs in: auto picks a model's bfloat16 variant where the CPU runs it fast. */
	public enum PrecisionChoice {
		AUTO, FLOAT32, BFLOAT16;

		public static PrecisionChoice parse(final String s) {
			try {
				return valueOf(s.trim().toUpperCase(Locale.ROOT));
			}
			catch (final IllegalArgumentException | NullPointerException e) {
				throw new IllegalArgumentException("precision must be auto, float32 or bfloat16, not '" + s + "'");
			}
		}

		/** As written in options and provenance: auto, float32, bfloat16. */
		public String word() {
			return name().toLowerCase(Locale.ROOT);
		}
	}

	private final String model;
	private final int scale;
	private final int tile;
	private final DeviceChoice device;
	private final String prompt;
	private final boolean fidelityMap;
	private final double lowPercentile;
	private final double highPercentile;
	private final boolean float32Output;
	private final PrecisionChoice precision;
	private final boolean consistency;

	private RestoreOptions(final Builder b) {
		model = b.model;
		scale = b.scale;
		tile = b.tile;
		device = b.device;
		prompt = b.prompt;
		fidelityMap = b.fidelityMap;
		lowPercentile = b.lowPercentile;
		highPercentile = b.highPercentile;
		float32Output = b.float32Output;
		precision = b.precision;
		consistency = b.consistency;
	}

	public static Builder builder() {
		return new Builder();
	}

	public Builder toBuilder() {
		return new Builder().model(model).scale(scale).tile(tile).device(device).prompt(prompt)
			.fidelityMap(fidelityMap).percentiles(lowPercentile, highPercentile).float32Output(float32Output).precision(precision).consistency(consistency);
	}

	/** Shipped model name, or a path to a model folder or its model.json. */
	public String model() { return model; }
	/** Output scale: the model's native scale, or a smaller one reached by resampling its output. */
	public int scale() { return scale; }
	/** Input tile size in pixels, or {@link #AUTO_TILE}. */
	public int tile() { return tile; }
	public DeviceChoice device() { return device; }
	/** Content prompt; null means the model's default. */
	public String prompt() { return prompt; }
	public boolean fidelityMap() { return fidelityMap; }
	public double lowPercentile() { return lowPercentile; }
	public double highPercentile() { return highPercentile; }
	/** Write 32-bit float output instead of the input's type. */
	public boolean float32Output() { return float32Output; }
	public PrecisionChoice precision() { return precision; }
	/** Project the output so that its area-downscale equals the input ({@link ConsistencyProjection}). */
	public boolean consistency() { return consistency; }

	/**
	 * The options that decide the pixels of an output, under the provenance keys that record them: with the
	 * model's SHA-256, its resolved prompt ({@link ResolvedOptions}) and the input file, the identity by which a
	 * rerun recognises an output as its own. An option that changes pixels joins with one line here - the
	 * restoration records every entry in its provenance and a rerun compares them key by key. An option whose
	 * "auto" is decided at run time appears as what ran instead: the precision is added, resolved, in
	 * {@link ResolvedOptions#identity()}, which both the restoration and the rerun's check go through. Tile size
	 * and device are left out: they change pixels only within the blending tolerance.
	 */
	public Map<String, String> pixelOptions() {
		final Map<String, String> m = new LinkedHashMap<>();
		m.put("scale", Integer.toString(scale));
		m.put("normalisation_percentiles", Restorer.fmt(lowPercentile) + "-" + Restorer.fmt(highPercentile));
		m.put("float32_output", Boolean.toString(float32Output));
		m.put("fidelity_map", Boolean.toString(fidelityMap));
		m.put("consistency", Boolean.toString(consistency));
		return m;
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT,
			"model=%s scale=%d tile=%s device=%s prompt=%s fidelity_map=%b percentiles=%s-%s float32=%b precision=%s consistency=%b", model,
			scale, tile == AUTO_TILE ? "auto" : Integer.toString(tile), device.name().toLowerCase(Locale.ROOT),
			prompt == null ? "default" : prompt, fidelityMap, lowPercentile, highPercentile, float32Output,
			precision.word(), consistency);
	}

	public static final class Builder {

		private String model = DEFAULT_MODEL;
		private int scale = 4;
		private int tile = AUTO_TILE;
		private DeviceChoice device = DeviceChoice.AUTO;
		private String prompt;
		private boolean fidelityMap;
		private double lowPercentile = 0.1;
		private double highPercentile = 99.9;
		private boolean float32Output;
		private PrecisionChoice precision = PrecisionChoice.AUTO;
		private boolean consistency;

		public Builder model(final String m) {
			model = (m == null || m.isBlank()) ? DEFAULT_MODEL : m.trim();
			return this;
		}

		public Builder scale(final int s) {
			if (s < 2 || s > 8) throw new IllegalArgumentException("scale must be 2, 3 or 4 (got " + s + ")");
			scale = s;
			return this;
		}

		public Builder tile(final int t) {
			if (t != AUTO_TILE && t < 8) throw new IllegalArgumentException(
				"tile must be 'auto' or a size of at least 8 input pixels (got " + t + ")");
			tile = t;
			return this;
		}

		/** Parses "auto", "0" or a number. */
		public Builder tile(final String t) {
			if (t == null || t.isBlank() || t.trim().equalsIgnoreCase("auto")) return tile(AUTO_TILE);
			try {
				return tile(Integer.parseInt(t.trim()));
			}
			catch (final NumberFormatException e) {
				throw new IllegalArgumentException("tile must be 'auto' or a whole number of pixels, not '" + t + "'");
			}
		}

		public Builder device(final DeviceChoice d) {
			device = Objects.requireNonNull(d);
			return this;
		}

		public Builder device(final String d) {
			return device(d == null || d.isBlank() ? DeviceChoice.AUTO : DeviceChoice.parse(d));
		}

		public Builder prompt(final String p) {
			prompt = (p == null || p.isBlank() || p.trim().equalsIgnoreCase("default")) ? null : p.trim().toLowerCase(Locale.ROOT);
			return this;
		}

		public Builder fidelityMap(final boolean f) {
			fidelityMap = f;
			return this;
		}

		public Builder percentiles(final double low, final double high) {
			if (!(low >= 0 && high <= 100 && low < high)) throw new IllegalArgumentException(
				"percentiles must satisfy 0 <= low < high <= 100 (got " + low + ", " + high + ")");
			lowPercentile = low;
			highPercentile = high;
			return this;
		}

		public Builder float32Output(final boolean f) {
			float32Output = f;
			return this;
		}

		public Builder precision(final PrecisionChoice p) {
			precision = Objects.requireNonNull(p);
			return this;
		}

		/** Parses auto, float32 or bfloat16 (blank: auto). */
		public Builder precision(final String p) {
			return precision(p == null || p.isBlank() ? PrecisionChoice.AUTO : PrecisionChoice.parse(p));
		}

		public Builder consistency(final boolean c) {
			consistency = c;
			return this;
		}

		public RestoreOptions build() {
			return new RestoreOptions(this);
		}
	}
}
