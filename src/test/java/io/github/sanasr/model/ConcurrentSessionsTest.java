package io.github.sanasr.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sanasr.core.RestoreOptions.DeviceChoice;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Sessions of one loaded model used by several threads at once (Spark runs tasks side by side on one executor)
 * with tiles of different shapes: each call checks its own output shape. The translator is shared by all
 * sessions, so per-call state kept in it crossed between threads ("returned (1, 3, 224, 256) for an input of
 * 56x56") before it moved into the call's context.
 */
class ConcurrentSessionsTest {

	@Test
	void threadsWithDifferentTileShapesDoNotSeeEachOthersShapes() throws Exception {
		final ModelDescriptor d = new ModelRegistry().resolve(Path.of("src/test/resources/models/conv-x4").toString());
		final ExecutorService pool = Executors.newFixedThreadPool(2);
		try {
			final List<Future<Integer>> runs = new ArrayList<>();
			for (final int[] hw : new int[][] { { 16, 24 }, { 24, 16 } }) {
				runs.add(pool.submit(() -> {
					int calls = 0;
					try (TileModel m = SrModel.open(d, DeviceChoice.CPU)) {
						for (int i = 0; i < 60; i++) {
							final float[] out = m.predict(new float[3 * hw[0] * hw[1]], 3, hw[0], hw[1], 0);
							assertEquals(3 * 16 * hw[0] * hw[1], out.length);
							calls++;
						}
					}
					return calls;
				}));
			}
			for (final Future<Integer> f : runs)
				assertEquals(60, f.get());
		}
		finally {
			pool.shutdownNow();
		}
	}
}
