package io.github.sanasr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.core.TestImages;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark harness's own logic, fast: statistics, scaling figures, the plot, one tiny real run. */
class BenchHarnessTest {

	@TempDir
	Path tmp;

	@Test
	void statsAreMedianAndRange() {
		final Stats s = Stats.of(3, 1, 2, 10);
		assertEquals(2.5, s.median());
		assertEquals(1, s.min());
		assertEquals(10, s.max());
		assertEquals(2, Stats.of(5, 2, 1).median());
	}

	@Test
	void linearCostIsFlatAndQuadraticIsNot() throws Exception {
		final List<Map<String, Object>> records = new ArrayList<>();
		for (final int side : new int[] { 256, 512, 1024, 2048 }) {
			final double px = (double) side * side;
			// linear: 100 ns and 1000 bytes per pixel plus a small fixed cost
			records.add(record("linear", side, 100 + 1e5 / px, 1000 + 1e6 / px));
			// quadratic attention: the per-pixel cost grows with the pixel count
			records.add(record("softmax", side, 100 + px / 1e4, 1000 + px / 1e2));
		}
		final List<ScalingBench.Series> series = ScalingBench.Series.of(records);
		assertEquals(2, series.size());
		final ScalingBench.Series lin = series.get(0), quad = series.get(1);
		assertTrue(lin.spread(lin.nsPerPixel) <= 1 + ScalingBench.FLAT, "linear time " + lin.spread(lin.nsPerPixel));
		assertTrue(lin.spread(lin.bytesPerPixel) <= 1 + ScalingBench.FLAT);
		assertTrue(quad.spread(quad.nsPerPixel) > 1 + ScalingBench.FLAT);
		assertEquals(1000, lin.marginalBytes(3), 1);
		assertTrue(quad.marginalBytes(3) > 10 * quad.marginalBytes(1));
		final String md = ScalingBench.markdown(Machine.describe("test"), series, "scaling.png");
		assertTrue(md.contains("linear (linear.pt): time per pixel max/min 1.02 (flat within 15%)"), md);
		assertTrue(md.contains("softmax (softmax.pt): time per pixel max/min") && md.contains("(not flat within 15%)"), md);

		final Path png = tmp.resolve("scaling.png");
		ScalingPlot.write(series, png, "test");
		final BufferedImage img = ImageIO.read(png.toFile());
		assertEquals(1160, img.getWidth());
		// a lost memory peak (not above the baseline) is "not measurable", never a negative ratio
		records.set(0, record("linear", 256, 100, -5));
		assertTrue(Double.isNaN(ScalingBench.Series.of(records).get(0).spread(ScalingBench.Series.of(records).get(0).bytesPerPixel)));
	}

	@Test
	void tinyRunThroughModelAndRestorer() throws Exception {
		final String model = TestImages.model("conv-x4").toString();
		final List<Map<String, Object>> r = TileBench.run(model, 32, 0, 1, 0, List.of("model", "restorer", "tiled"));
		assertEquals(List.of("model", "restorer", "tiled"), r.stream().map(x -> x.get("mode")).toList());
		for (final Map<String, Object> x : r) {
			assertEquals(128, x.get("output_side"));
			assertTrue((double) x.get("median_s") > 0);
		}
		final Map<String, Object> restorer = r.get(1);
		assertEquals(1, restorer.get("tiles"));
		assertEquals(48, restorer.get("net_tile_side"), "32 + two mirrored margins of 8");
		final double share = (double) restorer.get("outside_share_median");
		assertTrue(share > 0 && share < 1, "outside share " + share);
		assertTrue((int) r.get(2).get("tiles") > 1);
	}

	private static Map<String, Object> record(final String model, final int side, final double ns, final double bytes) {
		final Map<String, Object> r = new LinkedHashMap<>();
		r.put("model", model);
		r.put("model_file", model + ".pt");
		r.put("output_side", (double) side);
		r.put("ns_per_output_pixel", ns);
		r.put("rss_bytes_per_output_pixel", bytes);
		r.put("median_s", ns * side * side / 1e9);
		return r;
	}
}
