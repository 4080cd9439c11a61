package io.github.sanasr.core;

import java.util.List;
import java.util.Map;

/**
 * The model's part of a restoration, computed elsewhere: for each plane and channel group, the blended tile
 * outputs in the model's normalised intensities, exactly what {@link Restorer} computes itself between
 * normalising a plane and mapping it back. A distributed runner computes them in bands with
 * {@link Restorer#restoreBand} and hands them to {@link Restorer#assemble}, which does everything else
 * (mapping back, storing, fidelity map, provenance) with the same code as a local restoration.
 */
public interface PlaneOutputs {

	/**
	 * One band of one plane: per channel group, per component of the group, output rows [rowFrom, rowTo); the
	 * tiles run, the device, the tile size used (after stride alignment and any retry with smaller tiles) and
	 * the notes of the run (retries).
	 */
	record Band(float[][][] groups, int rowFrom, int rowTo, int tiles, String device, int tile, List<String> notes) {}

	/**
	 * The whole output plane (1-based c, z, t) of channel group {@code group}, one array per component of the
	 * group, {@code (width*scale) x (height*scale)}, row-major.
	 */
	float[][] plane(int c, int z, int t, int group) throws RestoreException;

	/** Where the model ran, in words (goes into the provenance's "device"). */
	String device();

	/**
	 * The tile size the model outputs were computed with; {@link RestoreOptions#AUTO_TILE} (the default) means
	 * the fixed tile of the options.
	 */
	default int tileSize() {
		return RestoreOptions.AUTO_TILE;
	}

	/** Notes of the model runs (e.g. retries with smaller tiles), added to the provenance's notes. */
	default List<String> notes() {
		return List.of();
	}

	/** Extra provenance entries (e.g. the engine and executors), added after the core's own. */
	Map<String, String> provenance();
}
