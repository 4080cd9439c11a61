package io.github.sanasr.core;

import net.imglib2.Cursor;
import net.imglib2.RandomAccessible;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Cuts the model input of one tile out of a normalised plane: an ImgLib2 view of the plane, extended by
 * mirroring (the tile may reach into the margin around the plane or, for small images, far beyond it), copied
 * into a channel-major float array. A plane with fewer components than the model wants (grey into a
 * 3-channel model) is repeated into every model channel.
 */
final class TileReader {

	private final RandomAccessible<FloatType>[] extended;
	private final int modelChannels;

	@SuppressWarnings("unchecked")
	TileReader(final float[][] planes, final int width, final int height, final int modelChannels) {
		this.modelChannels = modelChannels;
		extended = new RandomAccessible[planes.length];
		for (int c = 0; c < planes.length; c++) {
			final ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(planes[c], width, height);
			// mirroring a 1-pixel axis is undefined in ImgLib2; repeating the pixel is the same thing there
			extended[c] = width > 1 && height > 1 ? Views.extendMirrorSingle(img) : Views.extendBorder(img);
		}
	}

	float[] read(final TilePlan.Tile t) {
		final int n = t.width * t.height;
		final float[] chw = new float[modelChannels * n];
		for (int c = 0; c < modelChannels; c++) {
			final RandomAccessible<FloatType> src = extended[extended.length == 1 ? 0 : c];
			final Cursor<FloatType> cursor = Views.flatIterable(Views.interval(src, new long[] { t.x, t.y },
				new long[] { t.x + t.width - 1L, t.y + t.height - 1L })).cursor();
			int i = c * n;
			while (cursor.hasNext())
				chw[i++] = cursor.next().get();
		}
		return chw;
	}
}
