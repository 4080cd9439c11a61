package io.github.sanasr.core;

/**
 * Accumulates tile outputs into the output plane with smooth weights. Along each axis a tile's weight is 0 in
 * the {@code halo} pixels next to a neighbouring tile (where its content is wrong), then rises as a raised
 * cosine across the rest of the overlap, while the neighbour's weight falls by the same amount; the weights
 * of overlapping tiles sum to 1, so there is no step (seam) anywhere. Edges that face the mirrored margin
 * keep weight 1: that part is outside the image and cropped away.
 */
public final class TileBlender {

	private final int outWidth, outHeight, channels, scale;
	/** Output rows accumulated: [rowFrom, rowTo) (all rows unless a band was asked for). */
	private final int rowFrom, rowTo;
	private final TilePlan plan;
	private final float[][] sum;
	private final float[] weight;

	/**
	 * @param scale output pixels per input pixel of the tiles handed to {@link #add}
	 */
	public TileBlender(final TilePlan plan, final int scale, final int channels) {
		this(plan, scale, channels, 0, Integer.MAX_VALUE);
	}

	/**
	 * A blender that keeps only output rows [rowFrom, rowTo) (a band of the plane). Each kept pixel gets exactly
	 * the same sum as in a whole-plane blender when the same tiles are added in the same order, so bands
	 * computed apart and stacked equal the whole plane bit for bit.
	 */
	public TileBlender(final TilePlan plan, final int scale, final int channels, final int rowFrom, final int rowTo) {
		this.plan = plan;
		this.scale = scale;
		this.channels = channels;
		final long w = (long) plan.width() * scale, h = (long) plan.height() * scale;
		if (w * h > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("output plane too large");
		outWidth = (int) w;
		outHeight = (int) h;
		this.rowFrom = Math.max(0, rowFrom);
		this.rowTo = Math.min(outHeight, rowTo);
		if (this.rowTo <= this.rowFrom) throw new IllegalArgumentException("empty band of output rows");
		final int n = outWidth * (this.rowTo - this.rowFrom);
		sum = new float[channels][n];
		weight = new float[n];
	}

	/** Adds one tile's output ({@code channels x (height*scale) x (width*scale)}, channel-major). */
	public void add(final TilePlan.Tile t, final float[] chw) {
		final int tw = t.width * scale, th = t.height * scale;
		if (chw.length != (long) channels * tw * th) throw new IllegalArgumentException("tile output size");
		final float[] wx = axisWeights(plan.xAxis(), t.column);
		final float[] wy = axisWeights(plan.yAxis(), t.row);
		final int ox = t.x * scale, oy = t.y * scale;
		final int x0 = Math.max(0, -ox), x1 = Math.min(tw, outWidth - ox);
		final int y0 = Math.max(rowFrom - oy, Math.max(0, -oy)), y1 = Math.min(th, rowTo - oy);
		for (int y = y0; y < y1; y++) {
			if (wy[y] == 0) continue;
			final int row = (oy + y - rowFrom) * outWidth + ox;
			for (int x = x0; x < x1; x++) {
				final float w = wx[x] * wy[y];
				if (w == 0) continue;
				weight[row + x] += w;
				for (int c = 0; c < channels; c++)
					sum[c][row + x] += w * chw[(c * th + y) * tw + x];
			}
		}
	}

	/** The blended plane per channel (the accumulators are reused: call once, at the end). */
	public float[][] result() {
		for (int i = 0; i < weight.length; i++) {
			final float w = weight[i];
			for (int c = 0; c < channels; c++)
				sum[c][i] = w > 0 ? sum[c][i] / w : Float.NaN;
		}
		return sum;
	}

	/** True when tile t has output rows inside this blender's rows (a band blender needs only those tiles). */
	public boolean touches(final TilePlan.Tile t) {
		final long oy = (long) t.y * scale, th = (long) t.height * scale;
		return oy < rowTo && oy + th > rowFrom;
	}

	public int outWidth() { return outWidth; }
	public int outHeight() { return outHeight; }

	/** Weights at the output pixels of tile i along one axis. */
	float[] axisWeights(final TilePlan.Axis axis, final int i) {
		final int n = axis.size() * scale;
		final float[] w = new float[n];
		final boolean prev = i > 0, next = i < axis.count() - 1;
		final double halo = plan.halo();
		final double band = axis.overlap() - 2 * halo;
		for (int k = 0; k < n; k++) {
			final double u = (k + 0.5) / scale; // position in input pixels from the tile's start
			double v = 1;
			if (prev) v *= ramp((u - halo) / band);
			if (next) v *= ramp((axis.size() - u - halo) / band);
			w[k] = (float) v;
		}
		return w;
	}

	private static double ramp(final double t) {
		if (t <= 0) return 0;
		if (t >= 1) return 1;
		return 0.5 - 0.5 * Math.cos(Math.PI * t);
	}
}
