package io.github.sanasr.core;

import io.github.sanasr.model.ModelDescriptor;
import io.github.sanasr.model.ModelException;
import io.github.sanasr.model.TileModel;
import io.github.sanasr.model.TileOutOfMemoryException;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the model over the tiles of a plane and blends them ({@link TilePlan}, {@link TileReader},
 * {@link TileBlender}): a whole plane, retried with smaller tiles while memory runs out, or one band of output
 * rows with a fixed tiling. Keeps the progress counters across the planes of a restoration and the tile size
 * reached (it only shrinks).
 */
final class TileRunner {

	private final TileModel model;
	private final ModelDescriptor d;
	private final int prompt, scale;
	private final ProgressListener progress;
	private final Consumer<String> log;
	private final long planesTotal;
	private long planesDone, done, total;
	private int tile, tilesPerPlane, tilesRun;

	TileRunner(final TileModel model, final ResolvedOptions r, final ProgressListener progress,
		final Consumer<String> log, final long planesTotal, final int firstTile, final int tilesPerPlane)
	{
		this.model = model;
		this.d = r.model();
		this.prompt = r.prompt();
		this.scale = r.scale();
		this.progress = progress;
		this.log = log;
		this.planesTotal = planesTotal;
		this.tile = firstTile;
		this.tilesPerPlane = tilesPerPlane;
		this.total = planesTotal * tilesPerPlane;
	}

	/**
	 * The tile a restoration starts with: the one asked for, or "auto": the largest that fits the memory the
	 * model's device has free ({@link TileSizer#auto}). Before stride alignment ({@link TilePlan}).
	 */
	static int firstTile(final RestoreOptions options, final TileModel model, final ModelDescriptor d) {
		if (options.tile() != RestoreOptions.AUTO_TILE) return options.tile();
		return TileSizer.auto(model.availableMemory(), d.bytesPerOutputPixel(), d.scale(), d.stride(), d.halo());
	}

	/** The tile size now (after any retries with smaller tiles). */
	int tile() { return tile; }
	/** Tiles of one plane at the current tile size. */
	int tilesPerPlane() { return tilesPerPlane; }
	/** Tiles run so far. */
	int tilesRun() { return tilesRun; }

	/** One whole plane (one channel group), retried with smaller tiles while memory runs out. */
	float[][] plane(final float[][] normed, final int w, final int h, final String where, final List<String> notes)
		throws RestoreException
	{
		while (true) {
			final TilePlan plan = new TilePlan(w, h, tile, d.stride(), d.halo());
			tilesPerPlane = plan.count();
			total = done + (planesTotal - planesDone) * plan.count();
			final long doneBefore = done;
			try {
				final float[][] r = blend(plan, normed, 0, Integer.MAX_VALUE, where);
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

	/** Output rows [rowFrom, rowTo) of a plane: only the tiles reaching into them, in the whole plane's order. */
	float[][] band(final TilePlan plan, final float[][] normed, final int rowFrom, final int rowTo, final String where)
		throws RestoreException
	{
		return blend(plan, normed, rowFrom, rowTo, where);
	}

	private float[][] blend(final TilePlan plan, final float[][] normed, final int rowFrom, final int rowTo,
		final String where) throws RestoreException
	{
		final int channels = normed.length, modelChannels = d.inputChannels(), nativeScale = d.scale();
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
