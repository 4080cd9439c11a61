package io.github.sanasr.adapt;

/** The eight flips and quarter turns of a square channel-major patch (training augmentation). */
final class Dihedral {

	private Dihedral() {}

	/** Writes {@code src} (channels x side x side) transformed by {@code k} in 0..7 into {@code dst} at {@code off}. */
	static void apply(final float[] src, final int channels, final int side, final int k, final float[] dst,
		final int off)
	{
		final boolean transpose = (k & 4) != 0, flipX = (k & 1) != 0, flipY = (k & 2) != 0;
		for (int c = 0; c < channels; c++) {
			final int base = c * side * side;
			for (int y = 0; y < side; y++)
				for (int x = 0; x < side; x++) {
					int sx = transpose ? y : x, sy = transpose ? x : y;
					if (flipX) sx = side - 1 - sx;
					if (flipY) sy = side - 1 - sy;
					dst[off + base + y * side + x] = src[base + sy * side + sx];
				}
		}
	}
}
