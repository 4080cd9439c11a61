package io.github.sanasr.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.batch.BatchReport;
import io.github.sanasr.batch.BatchRow;
import io.github.sanasr.batch.BatchStatus;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job with the real engine (local mode, real TorchScript model) against the real command line
 * (./sana-sr as a subprocess) on the same folder: 8-bit, 16-bit, RGB, a Z-stack, a plane large enough to be
 * split into bands, and a corrupt file.
 */
class SparkRestoreTest {

	static final Path REPO = Path.of(System.getProperty("sanasr.repo", "..")).toAbsolutePath().normalize();
	static final Path MODEL = REPO.resolve("src/test/resources/models/conv-x4");
	/** Output keys that differ between any two runs (times) or name the engine (only the Spark run has them). */
	static final java.util.Set<String> VOLATILE = java.util.Set.of("run_time_s", "date");
	static final String BAND_FILE = "e-band.tif";

	@TempDir
	static Path tmp;
	static Path in, cliOut;
	static Map<String, String> cliSums;

	@BeforeAll
	static void inputsAndCli() throws Exception {
		in = Files.createDirectories(tmp.resolve("in"));
		final Random rnd = new Random(12);
		save(new ImagePlus("a8", bytes(rnd, 40, 40)), in.resolve("a8.png"), true);
		final ImagePlus b16 = new ImagePlus("b16", shorts(rnd, 48, 36));
		b16.getCalibration().pixelWidth = 0.5;
		b16.getCalibration().pixelHeight = 0.25;
		b16.getCalibration().setUnit("um");
		save(b16, in.resolve("b16.tif"), false);
		final ColorProcessor rgb = new ColorProcessor(32, 32);
		for (int i = 0; i < 32 * 32; i++)
			rgb.set(i, rnd.nextInt(1 << 24));
		save(new ImagePlus("c-rgb", rgb), in.resolve("c-rgb.png"), true);
		final ImageStack stack = new ImageStack(24, 20);
		for (int z = 0; z < 3; z++)
			stack.addSlice(shorts(rnd, 24, 20));
		final ImagePlus zs = new ImagePlus("d-stack", stack);
		zs.setDimensions(1, 3, 1);
		zs.getCalibration().pixelDepth = 2;
		zs.getCalibration().setUnit("um");
		save(zs, in.resolve("d-stack.tif"), false);
		// 200x200 at x4: 800x800 output, 5 MB of floats with the weights: three bands under a 2 MB budget
		final ByteProcessor big = bytes(rnd, 200, 200);
		big.blurGaussian(3);
		save(new ImagePlus("e-band", big), in.resolve(BAND_FILE), false);
		final Path good = tmp.resolve("good.png");
		save(new ImagePlus("g", bytes(rnd, 64, 64)), good, true);
		Files.write(in.resolve("f-corrupt.png"), java.util.Arrays.copyOf(Files.readAllBytes(good), 60));

		cliOut = tmp.resolve("cli");
		final Path build = Path.of(System.getProperty("sanasr.root.build", REPO.resolve("target").toString()));
		final List<String> cmd = new ArrayList<>(List.of(REPO.resolve("sana-sr").toString(), in.toString(), "--output",
			cliOut.toString()));
		cmd.addAll(restoreOptions());
		final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
			.redirectOutput(tmp.resolve("cli.log").toFile());
		pb.environment().put("SANASR_BUILD_DIR", build.toString());
		// the packaged plugin jar, as the Spark job uses it (it carries the version the provenance names)
		pb.environment().put("SANASR_USE_CLASSES", "0");
		pb.environment().put("SANASR_JAVA_OPTS", "-Xmx1g");
		final Process p = pb.start();
		assertTrue(p.waitFor(5, TimeUnit.MINUTES), "./sana-sr did not finish");
		assertEquals(1, p.exitValue(), "./sana-sr: one file (the corrupt one) fails: " + Files.readString(tmp.resolve("cli.log")));
		cliSums = checksums(cliOut);
	}

	static List<String> restoreOptions() {
		// --consistency: the projection runs where the Spark job assembles, and must give the CLI's pixels
		return List.of("--model", MODEL.toString(), "--tile", "32", "--fidelity-map", "--consistency");
	}

	static SparkOptions options(final Path out) throws Exception {
		final List<String> a = new ArrayList<>(List.of(in.toString(), "--output", out.toString(), "--band-budget-mb", "2"));
		a.addAll(restoreOptions());
		return SparkOptions.parse(a);
	}

	static JavaSparkContext spark(final String master) {
		return new JavaSparkContext(new SparkConf().setMaster(master).setAppName("sana-sr-test")
			.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
	}

	@Test
	void sameFilesAsTheCliAndARerunDoesNoWork() throws Exception {
		final Path out = tmp.resolve("spark");
		final SparkRestore.Result r;
		try (JavaSparkContext sc = spark("local[2]")) {
			r = SparkRestore.run(sc, options(out));
		}
		// 1 + 1 + 1 + 3 planes, and the large plane in 3 bands: 9 units; the corrupt file fails alone
		assertEquals(9, r.units(), "units of work");
		assertEquals(5, r.report().count(BatchStatus.OK));
		final List<BatchRow> failed = r.report().failures();
		assertEquals(1, failed.size());
		assertEquals("f-corrupt.png", failed.get(0).file().getFileName().toString());
		assertTrue(failed.get(0).message().startsWith("could not be read"), failed.get(0).message());
		assertEquals(cliSums, checksums(out), "every output file, Spark vs ./sana-sr");
		final Map<String, String> band = sidecar(out.resolve("e-band-SANA-SR-x4.sanasr.json"));
		assertEquals("3", band.get("engine_units"), "the large plane went as 3 bands");
		assertTrue(band.get("engine").startsWith("Apache Spark 4."), band.get("engine"));
		assertTrue(band.get("engine_executors").startsWith("executor driver on "), band.get("engine_executors"));
		assertNoTemporaries(out);

		// a rerun skips every completed file and sends no plane to the executors
		final Map<Path, FileTime> times = mtimes(out);
		final SparkRestore.Result again;
		try (JavaSparkContext sc = spark("local[2]")) {
			again = SparkRestore.run(sc, options(out));
		}
		assertEquals(0, again.units(), "planes restored by the rerun");
		assertEquals(5, again.report().count(BatchStatus.SKIPPED));
		assertEquals(1, again.report().count(BatchStatus.FAILED), "the corrupt file is still reported");
		final Map<Path, FileTime> after = mtimes(out);
		after.remove(out.resolve(BatchReport.CSV_NAME));
		times.remove(out.resolve(BatchReport.CSV_NAME));
		assertEquals(times, after, "the rerun rewrote no output");
	}

	/**
	 * Issue 17, item 3: with the default --tile auto, every plane that fits the task memory budget gets the CLI's
	 * tiling and the same bytes as ./sana-sr; only the plane split into bands may use another tile, and its
	 * sidecar and summary row say so.
	 */
	@Test
	void theDefaultAutoTileWritesTheClisFiles() throws Exception {
		// the model with global attention over its tile: another tiling changes pixels (the convolutional test
		// model's receptive field fits in the tile margins, so its pixels cannot tell tilings apart)
		final Path model = REPO.resolve("src/test/resources/models/attention-x4");
		final Path cliAuto = tmp.resolve("cli-auto");
		final List<String> cmd = new ArrayList<>(List.of(REPO.resolve("sana-sr").toString(), in.toString(), "--output",
			cliAuto.toString(), "--model", model.toString(), "--fidelity-map"));
		final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
			.redirectOutput(tmp.resolve("cli-auto.log").toFile());
		pb.environment().put("SANASR_BUILD_DIR", System.getProperty("sanasr.root.build", REPO.resolve("target").toString()));
		pb.environment().put("SANASR_USE_CLASSES", "0");
		pb.environment().put("SANASR_JAVA_OPTS", "-Xmx1g");
		final Process p = pb.start();
		assertTrue(p.waitFor(5, TimeUnit.MINUTES), "./sana-sr did not finish");
		assertEquals(1, p.exitValue(), Files.readString(tmp.resolve("cli-auto.log")));

		final Path out = tmp.resolve("spark-auto");
		final SparkRestore.Result r;
		try (JavaSparkContext sc = spark("local[2]")) {
			r = SparkRestore.run(sc, SparkOptions.parse(List.of(in.toString(), "--output", out.toString(),
				"--band-budget-mb", "2", "--model", model.toString(), "--fidelity-map")));
		}
		assertEquals(5, r.report().count(BatchStatus.OK), r.report().toCsv());
		final Map<String, String> expected = new TreeMap<>(checksums(cliAuto)), actual = new TreeMap<>(checksums(out));
		final String bandStem = BAND_FILE.replace(".tif", "-SANA-SR-x4");
		for (final Map<String, String> m : List.of(expected, actual))
			m.keySet().removeIf(k -> k.startsWith(bandStem) || k.equals(BatchReport.CSV_NAME));
		assertEquals(12, expected.size(), "image, fidelity map and sidecar of 4 files: " + expected.keySet());
		assertEquals(expected, actual, "every output of a plane under the budget, Spark vs ./sana-sr, both --tile auto");
		final String cliTile = sidecar(cliAuto.resolve("a8-SANA-SR-x4.sanasr.json")).get("tile_size");
		assertEquals(cliTile, sidecar(out.resolve("a8-SANA-SR-x4.sanasr.json")).get("tile_size"));
		assertTrue(!cliTile.equals(String.valueOf(UnitPlanner.bandTile(new io.github.sanasr.model.ModelRegistry()
			.resolve(model.toString()), 2L << 20))), "the premise: the CLI's automatic tile is not the budget's");

		final Map<String, String> band = sidecar(out.resolve(bandStem + ".sanasr.json"));
		assertTrue(band.get("engine_tile").startsWith("tile " + band.get("tile_size") + " from the task memory budget: " +
			"the plane was split into 3 bands"), band.get("engine_tile"));
		final BatchRow bandRow = r.report().rows().stream().filter(x -> x.file().getFileName().toString().equals(BAND_FILE))
			.findFirst().orElseThrow();
		assertEquals(band.get("engine_tile"), bandRow.message(), "the summary says so too");
	}

	@Test
	void aTaskKilledWhileWritingIsRetriedAndLeavesNoPartialFile() throws Exception {
		final Path out = tmp.resolve("retried");
		final AtomicInteger failedTasks = new AtomicInteger();
		final SparkRestore.Result r;
		try (JavaSparkContext sc = spark("local[2,2]")) { // two attempts per task
			sc.sc().addSparkListener(new SparkListener() {

				@Override
				public void onTaskEnd(final SparkListenerTaskEnd e) {
					if (!e.taskInfo().successful()) failedTasks.incrementAndGet();
				}
			});
			r = SparkRestore.run(sc, options(out).failingOnceWhileWriting("b16.tif"));
			sc.sc().listenerBus().waitUntilEmpty();
		}
		assertEquals(1, failedTasks.get(), "the hook killed exactly one task attempt");
		assertEquals(5, r.report().count(BatchStatus.OK), r.report().toCsv());
		assertNoTemporaries(out);
		assertEquals(cliSums, checksums(out), "every output file after the retry, Spark vs ./sana-sr");
	}

	@Test
	void aFailedJobLeavesNothingThatLooksFinishedAndResumes() throws Exception {
		final Path out = tmp.resolve("resumed");
		try (JavaSparkContext sc = spark("local[2]")) { // one attempt per task: the killed task fails the job
			final SparkRestore.JobFailedException e = assertThrows(SparkRestore.JobFailedException.class,
				() -> SparkRestore.run(sc, options(out).failingOnceWhileWriting("b16.tif")));
			assertTrue(e.getMessage().contains("test hook"), e.getMessage());
		}
		assertFalse(Files.exists(out.resolve("b16-SANA-SR-x4.tif")), "no output under the final name");
		assertFalse(Files.exists(out.resolve("b16-SANA-SR-x4.sanasr.json")), "no sidecar");
		assertNoTemporaries(out);
		final String csv = Files.readString(out.resolve(BatchReport.CSV_NAME));
		assertTrue(csv.lines().anyMatch(l -> l.contains("b16.tif") && l.contains("failed") && l.contains("rerun to resume")), csv);

		final SparkRestore.Result r;
		try (JavaSparkContext sc = spark("local[2]")) {
			r = SparkRestore.run(sc, options(out));
		}
		assertEquals(5, r.report().count(BatchStatus.OK) + r.report().count(BatchStatus.SKIPPED));
		assertTrue(r.report().count(BatchStatus.OK) >= 1, "the killed file was redone");
		// files finished before the failure are now "skipped" in the summary: compare every other file
		final Map<String, String> expected = new TreeMap<>(cliSums), actual = checksums(out);
		expected.remove(BatchReport.CSV_NAME);
		actual.remove(BatchReport.CSV_NAME);
		assertEquals(expected, actual, "every output file after resuming, Spark vs ./sana-sr");
	}

	// -- helpers --

	static ByteProcessor bytes(final Random rnd, final int w, final int h) {
		final ByteProcessor ip = new ByteProcessor(w, h);
		for (int i = 0; i < w * h; i++)
			ip.set(i, rnd.nextInt(256));
		return ip;
	}

	static ShortProcessor shorts(final Random rnd, final int w, final int h) {
		final ShortProcessor ip = new ShortProcessor(w, h);
		for (int i = 0; i < w * h; i++)
			ip.set(i, 100 + rnd.nextInt(3000));
		return ip;
	}

	static void save(final ImagePlus imp, final Path p, final boolean png) throws IOException {
		final boolean ok = png ? new FileSaver(imp).saveAsPng(p.toString()) : new FileSaver(imp).saveAsTiff(p.toString());
		if (!ok) throw new IOException("could not write " + p);
	}

	/**
	 * A checksum per output file: images by their pixels (every plane), type, layout and calibration; sidecars
	 * by their entries less the run times and the engine's own; the summary by its rows less the seconds and
	 * the output folder.
	 */
	static Map<String, String> checksums(final Path dir) throws Exception {
		final Map<String, String> sums = new TreeMap<>();
		try (Stream<Path> files = Files.list(dir)) {
			for (final Path f : files.sorted().toList()) {
				final String name = f.getFileName().toString();
				if (name.startsWith(".")) continue; // the CLI's lock file (.sanasr.lock); temporaries are checked apart
				if (name.endsWith(".tif")) sums.put(name, imageSum(f));
				else if (name.endsWith(".sanasr.json")) {
					final Map<String, String> m = sidecar(f);
					m.keySet().removeIf(k -> VOLATILE.contains(k) || k.startsWith("engine"));
					sums.put(name, m.toString()); // the entries themselves: a difference shows which
				}
				else if (name.equals(BatchReport.CSV_NAME)) {
					final StringBuilder sb = new StringBuilder();
					for (final String line : Files.readAllLines(f)) {
						final String[] cells = line.replace(dir.toString(), "OUT").split(",", -1);
						cells[3] = "s"; // seconds
						sb.append(String.join(",", cells)).append('\n');
					}
					sums.put(name, sha(sb.toString().getBytes(StandardCharsets.UTF_8)));
				}
				else sums.put(name, "unexpected file");
			}
		}
		return sums;
	}

	static String imageSum(final Path f) throws Exception {
		final ImagePlus imp = IJ.openImage(f.toString());
		assertTrue(imp != null, "cannot open " + f);
		final MessageDigest md = MessageDigest.getInstance("SHA-256");
		md.update((imp.getWidth() + "x" + imp.getHeight() + " c" + imp.getNChannels() + " z" + imp.getNSlices() + " t" +
			imp.getNFrames() + " type" + imp.getType() + " " + imp.getCalibration()).getBytes(StandardCharsets.UTF_8));
		for (int i = 1; i <= imp.getStackSize(); i++) {
			final ImageProcessor ip = imp.getStack().getProcessor(i);
			final Object px = ip.getPixels();
			final ByteBuffer b;
			if (px instanceof byte[] a) b = ByteBuffer.wrap(a);
			else if (px instanceof short[] a) {
				b = ByteBuffer.allocate(a.length * 2);
				b.asShortBuffer().put(a);
			}
			else if (px instanceof int[] a) {
				b = ByteBuffer.allocate(a.length * 4);
				b.asIntBuffer().put(a);
			}
			else {
				final float[] a = (float[]) px;
				b = ByteBuffer.allocate(a.length * 4);
				b.asFloatBuffer().put(a);
			}
			md.update(b);
		}
		imp.close();
		return hex(md.digest());
	}

	static Map<String, String> sidecar(final Path f) throws IOException {
		final Map<String, String> m = new TreeMap<>();
		final java.util.regex.Matcher x = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\": \"((?:[^\"\\\\]|\\\\.)*)\"")
			.matcher(Files.readString(f));
		while (x.find())
			m.put(x.group(1), x.group(2));
		return m;
	}

	static void assertNoTemporaries(final Path out) throws IOException {
		try (Stream<Path> all = Files.walk(out)) {
			final List<Path> left = all.filter(p -> p.getFileName().toString().endsWith(".sanasr-part")).toList();
			assertTrue(left.isEmpty(), "temporary files left: " + left);
		}
	}

	static Map<Path, FileTime> mtimes(final Path dir) throws IOException {
		final Map<Path, FileTime> m = new TreeMap<>();
		try (Stream<Path> files = Files.list(dir)) {
			for (final Path f : files.toList())
				m.put(f, Files.getLastModifiedTime(f));
		}
		return m;
	}

	static String sha(final byte[] b) throws Exception {
		return hex(MessageDigest.getInstance("SHA-256").digest(b));
	}

	static String hex(final byte[] d) {
		final StringBuilder sb = new StringBuilder();
		for (final byte x : d)
			sb.append(String.format("%02x", x));
		return sb.toString();
	}
}
