package io.github.sanasr.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The grid of input tiles for one plane. All tile origins lie on the model's stride grid (so a network whose
 * latent grid is stride-aligned sees every pixel at the same phase in every tile). The plane is extended by a
 * mirrored margin of at least {@code halo} pixels on each side, so that the network's zero padding at a
 * tile's outer edge never reaches image pixels; neighbouring tiles overlap by at least
 * {@code 2*halo + blend}: each tile's outer {@code halo} pixels are discarded and the rest of the overlap is
 * blended (see {@link TileBlender}).
 */
public final class TilePlan {

	/** Tiles along one axis. */
	public static final class Axis {
		private final int[] origins;
		private final int size;
		private final int overlap;

		Axis(final int[] origins, final int size, final int overlap) {
			this.origins = origins;
			this.size = size;
			this.overlap = overlap;
		}

		public int count() { return origins.length; }
		public int origin(final int i) { return origins[i]; }
		/** Tile length in input pixels (a multiple of the stride). */
		public int size() { return size; }
		/** Overlap between neighbouring tiles, in input pixels (0 with a single tile). */
		public int overlap() { return overlap; }
	}

	/** One tile: origin (may be negative: mirrored margin) and size, in input pixels. */
	public static final class Tile {
		public final int x, y, width, height, column, row;

		Tile(final int x, final int y, final int width, final int height, final int column, final int row) {
			this.x = x;
			this.y = y;
			this.width = width;
			this.height = height;
			this.column = column;
			this.row = row;
		}
	}

	private final int width, height, tileSize, stride, halo, margin, overlap;
	private final Axis xAxis, yAxis;

	/**
	 * @param tileSize wanted tile length in input pixels; rounded up to the stride and raised to the minimum
	 *          that leaves room for the overlap (see {@link #minimumTile})
	 */
	public TilePlan(final int width, final int height, final int tileSize, final int stride, final int halo) {
		if (width < 1 || height < 1) throw new IllegalArgumentException("empty plane");
		if (stride < 1 || halo < 0) throw new IllegalArgumentException("stride/halo");
		this.width = width;
		this.height = height;
		this.stride = stride;
		this.halo = halo;
		this.margin = roundUp(halo, stride);
		this.overlap = overlapFor(stride, halo);
		this.tileSize = Math.max(roundUp(Math.max(tileSize, 1), stride), minimumTile(stride, halo));
		xAxis = axis(width);
		yAxis = axis(height);
	}

	/** Overlap of neighbouring tiles: the discarded halos on both sides plus a blending band. */
	public static int overlapFor(final int stride, final int halo) {
		return roundUp(2 * halo + Math.max(stride, halo), stride);
	}

	/** The smallest useful tile: one stride of new pixels beyond the overlap. */
	public static int minimumTile(final int stride, final int halo) {
		return overlapFor(stride, halo) + stride;
	}

	public static int roundUp(final int v, final int m) {
		return (int) ((v + (long) m - 1) / m * m);
	}

	private Axis axis(final int length) {
		final int extent = length + 2 * margin;
		final int single = roundUp(extent, stride);
		if (single <= tileSize) return new Axis(new int[] { -margin }, single, 0);
		// the fewest tiles of at most tileSize that cover extent, then the smallest stride-aligned size for that
		// count: the tiles compute the extent plus one overlap per seam and at most a stride more each. (Keeping
		// tileSize and spreading n tiles over the extent made a 512-px plane with tile 512 into four tiles of
		// nearly the whole plane: 3.4x the work.)
		final int n = (int) Math.ceil((extent - overlap) / (double) (tileSize - overlap));
		final int size = Math.min(tileSize, roundUp((int) Math.ceil((extent + (n - 1) * (double) overlap) / n), stride));
		final int step = size - overlap;
		final int[] origins = new int[n];
		for (int i = 0; i < n; i++)
			origins[i] = -margin + i * step;
		return new Axis(origins, size, overlap);
	}

	public int width() { return width; }
	public int height() { return height; }
	/** The largest tile length allowed (the wanted size after rounding), in input pixels; see {@link Axis#size}. */
	public int tileSize() { return tileSize; }
	public int stride() { return stride; }
	public int halo() { return halo; }
	/** Mirrored margin around the plane, input pixels. */
	public int margin() { return margin; }
	/** Nominal overlap between neighbouring tiles, input pixels. */
	public int overlap() { return overlap; }
	public Axis xAxis() { return xAxis; }
	public Axis yAxis() { return yAxis; }
	public int count() { return xAxis.count() * yAxis.count(); }

	/** Tiles in row-major order. */
	public List<Tile> tiles() {
		final List<Tile> list = new ArrayList<>(count());
		for (int r = 0; r < yAxis.count(); r++)
			for (int c = 0; c < xAxis.count(); c++)
				list.add(new Tile(xAxis.origin(c), yAxis.origin(r), xAxis.size(), yAxis.size(), c, r));
		return Collections.unmodifiableList(list);
	}
}
