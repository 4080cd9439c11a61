package io.github.sanasr.spark;

import io.github.sanasr.core.RestoreOptions;
import io.github.sanasr.core.TilePlan;
import io.github.sanasr.core.TileSizer;
import io.github.sanasr.model.ModelDescriptor;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a file into stage 2's work units: one per plane, in the core's plane order (t, z, c). A plane whose float
 * output (all components and the blending weights) fits the task memory budget is one unit, run exactly as
 * ./sana-sr runs a plane (its tile size, "auto" included, chosen the same way), so the output is the CLI's. A
 * larger plane is split into bands of output rows, never more bands than rows of tiles; all bands of a plane
 * must share one tiling, so under "auto" they use the tile that fits the budget ({@link #bandTile}), which may
 * differ from the CLI's: the sidecar and the summary say so ({@link AssemblyStage}).
 */
final class UnitPlanner {

	private UnitPlanner() {}

	static List<SparkWork.Unit> units(final SparkWork.FilePlan p, final ModelDescriptor d, final RestoreOptions options,
		final long budget)
	{
		final int scale = options.scale();
		final long outW = (long) p.width * scale, outH = (long) p.height * scale;
		final long bytes = outW * outH * 4L * (p.components + 1);
		final long needed = (bytes + budget - 1) / budget;
		int tile = options.tile(), bands = 1;
		if (needed > 1) {
			final int bandTile = options.tile() != RestoreOptions.AUTO_TILE ? options.tile() : bandTile(d, budget);
			final int tileRows = new TilePlan(p.width, p.height, bandTile, d.stride(), d.halo()).yAxis().count();
			bands = (int) Math.max(1, Math.min(Math.min(tileRows, outH), needed));
			if (bands > 1) tile = bandTile;
		}
		final List<SparkWork.Unit> list = new ArrayList<>();
		for (int t = 1; t <= p.frames; t++)
			for (int z = 1; z <= p.slices; z++)
				for (int c = 1; c <= p.channels; c++)
					for (int b = 0; b < bands; b++)
						list.add(new SparkWork.Unit(p.index, c, z, t, (int) (b * outH / bands), (int) ((b + 1) * outH / bands),
							tile, bands));
		return list;
	}

	/** The tile of a plane split into bands when the tile is "auto": the largest whose model run fits half the budget. */
	static int bandTile(final ModelDescriptor d, final long budget) {
		return TileSizer.fromBudget(budget / 2, d.bytesPerOutputPixel(), d.scale(), d.stride(), d.halo());
	}
}
