package io.github.sanasr.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sanasr.core.RestoreOptions;

import ij.IJ;
import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch logic with a fast stand-in for the core: skipping, resuming, failures, names, formats. */
class BatchRestorerTest {

	@TempDir
	Path tmp;

	private Path in() throws IOException {
		return Files.createDirectories(tmp.resolve("in"));
	}

	private Path out() {
		return tmp.resolve("out");
	}

	private BatchJob.Builder job(final Path input) {
		return BatchJob.builder().input(input).outputDir(out());
	}

	private static Map<String, BatchRow> byName(final BatchReport report) {
		return report.rows().stream().collect(Collectors.toMap(r -> r.file().getFileName().toString(), Function.identity()));
	}

	@Test
	void goodBadUnsupportedAndExistingFiles() throws Exception {
		final Path in = in();
		TestImages.png8(in, "a.png", 20, 10);
		TestImages.tif16(in, "b.tif", 16, 8);
		TestImages.png8(in, "done.png", 12, 12);
		TestImages.corruptPng(in, "broken.png");
		TestImages.unsupported(in, "notes.xyz");
		// an earlier run of the same job already finished done.png
		final OutputNames done = new OutputNames(out(), "done.png", 4, OutputFormat.TIF);
		new BatchRestorer(new FakeRestorer()).run(job(in.resolve("done.png")).build(), BatchListener.NONE);
		final byte[] earlier = Files.readAllBytes(done.image());

		final FakeRestorer fake = new FakeRestorer();
		final BatchReport report = new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE);

		final Map<String, BatchRow> rows = byName(report);
		assertEquals(5, rows.size());
		assertEquals(BatchStatus.OK, rows.get("a.png").status());
		assertEquals(BatchStatus.OK, rows.get("b.tif").status());
		assertEquals(BatchStatus.SKIPPED, rows.get("done.png").status());
		assertEquals(BatchStatus.FAILED, rows.get("broken.png").status());
		assertTrue(rows.get("broken.png").message().contains("could not be read"), rows.get("broken.png").message());
		assertEquals(BatchStatus.FAILED, rows.get("notes.xyz").status());
		assertTrue(rows.get("notes.xyz").message().contains("unsupported"), rows.get("notes.xyz").message());
		assertEquals(List.of("a.png", "b.tif"), fake.restoredTitles);
		assertTrue(java.util.Arrays.equals(earlier, Files.readAllBytes(done.image())), "a skipped output is left alone");

		final ImagePlus a = IJ.openImage(out().resolve("a-SANA-SR-x4.tif").toString());
		assertEquals(80, a.getWidth());
		assertEquals(40, a.getHeight());
		assertEquals("20x10 8-bit", rows.get("a.png").sizeIn());
		assertEquals("80x40 8-bit", rows.get("a.png").sizeOut());
		final ImagePlus b = IJ.openImage(out().resolve("b-SANA-SR-x4.tif").toString());
		assertEquals(16, b.getBitDepth());
		assertEquals(0.125, b.getCalibration().pixelWidth, 1e-12, "calibration survives the TIFF");
		assertTrue(String.valueOf(b.getProperty("Info")).contains("input_title: b.tif"), "provenance in the TIFF's Info");
		final Map<String, String> sidecar = ResumeCheck.read(out().resolve("b-SANA-SR-x4.sanasr.json"));
		assertEquals("fake", sidecar.get("plugin"));
		assertEquals(RestoreOptions.DEFAULT_MODEL, sidecar.get("model"));
		assertEquals("4", sidecar.get("scale"));
		assertEquals(String.valueOf(Files.size(in.resolve("b.tif"))), sidecar.get(InputFingerprint.BYTES_KEY));
		assertEquals(InputFingerprint.of(in.resolve("b.tif")).sha256(), sidecar.get(InputFingerprint.SHA256_KEY));

		final List<String> csv = Files.readAllLines(out().resolve(BatchReport.CSV_NAME));
		assertEquals("file,size_in,size_out,seconds,status,message,output", csv.get(0));
		assertEquals(6, csv.size());
		assertTrue(csv.stream().anyMatch(l -> l.contains("broken.png") && l.contains(",failed,")), csv.toString());
		assertEquals("2 restored, 1 skipped (already done), 2 failed", report.summaryLine());
		assertNoTemporaryFiles();
	}

	@Test
	void overwriteRedoesExistingOutputs() throws Exception {
		final Path in = in();
		TestImages.png8(in, "a.png", 8, 8);
		final FakeRestorer fake = new FakeRestorer();
		new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE);
		final BatchReport again = new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE);
		assertEquals(BatchStatus.SKIPPED, again.rows().get(0).status());
		final BatchReport forced = new BatchRestorer(fake).run(job(in).overwrite(true).build(), BatchListener.NONE);
		assertEquals(BatchStatus.OK, forced.rows().get(0).status());
		assertEquals(2, fake.restoredTitles.size());
	}

	@Test
	void anOutputWithoutItsSidecarIsAConflictAndLeftUntouched() throws Exception {
		final Path in = in();
		TestImages.png8(in, "a.png", 8, 8);
		final OutputNames names = new OutputNames(out(), "a.png", 4, OutputFormat.TIF);
		Files.createDirectories(out());
		Files.writeString(names.image(), "made by someone else");
		final FakeRestorer fake = new FakeRestorer();
		final BatchReport report = new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE);
		final BatchRow row = report.rows().get(0);
		assertEquals(BatchStatus.CONFLICT, row.status());
		assertEquals("CONFLICT " + in.resolve("a.png") + ": made by an unknown tool (it has no sidecar " +
			"a-SANA-SR-x4.sanasr.json), not by this run; use --overwrite", row.problemLine());
		assertEquals("made by someone else", Files.readString(names.image()));
		assertEquals(List.of(), fake.restoredTitles);
		assertEquals(List.of(row), report.failures(), "a conflict makes the exit status 1");
		// a sidecar without its image is what a killed run leaves (the image is written last): redone
		Files.delete(names.image());
		Files.writeString(names.sidecar(), "{}");
		assertEquals(BatchStatus.OK, new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE).rows().get(0).status());
	}

	/** Issue 17, item 1: a rerun with another model, prompt, option or input must not skip the old output. */
	@Test
	void resumeSkipsOnlyOutputsOfTheSameInputModelAndOptions() throws Exception {
		final Path in = in();
		TestImages.png8(in, "a.png", 8, 8);
		final OutputNames names = new OutputNames(out(), "a.png", 4, OutputFormat.TIF);
		new BatchRestorer(new FakeRestorer()).run(job(in).build(), BatchListener.NONE);
		final byte[] first = Files.readAllBytes(names.image());
		final String sidecar = Files.readString(names.sidecar());

		final FakeRestorer fake = new FakeRestorer();
		assertEquals(BatchStatus.SKIPPED, new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE).rows().get(0)
			.status(), "the same job: skipped");
		for (final RestoreOptions other : List.of(RestoreOptions.builder().model("another-model").build(),
			RestoreOptions.builder().percentiles(1, 99).build(), RestoreOptions.builder().float32Output(true).build(),
			RestoreOptions.builder().fidelityMap(true).build()))
		{
			final BatchRow row = new BatchRestorer(fake).run(job(in).options(other).build(), BatchListener.NONE).rows().get(0);
			assertEquals(BatchStatus.CONFLICT, row.status(), other.toString());
			assertTrue(row.message().startsWith("made by " + RestoreOptions.DEFAULT_MODEL + ", SHA-256 unknown, not by " +
				"this run; use --overwrite ("), row.message());
		}
		// the tile size is not part of the identity
		assertEquals(BatchStatus.SKIPPED, new BatchRestorer(fake).run(job(in).options(RestoreOptions.builder().tile(64)
			.build()).build(), BatchListener.NONE).rows().get(0).status());
		// the input changed since
		TestImages.png8(in, "a.png", 8, 9);
		final BatchRow changed = new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE).rows().get(0);
		assertEquals(BatchStatus.CONFLICT, changed.status());
		assertTrue(changed.message().contains(InputFingerprint.SHA256_KEY), changed.message());
		assertEquals(List.of(), fake.restoredTitles, "nothing was redone");
		assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(names.image())), "the old output is untouched");
		assertEquals(sidecar, Files.readString(names.sidecar()));
		assertTrue(Files.readString(out().resolve(BatchReport.CSV_NAME)).contains(",conflict,"));
		// overwrite replaces it
		assertEquals(BatchStatus.OK, new BatchRestorer(fake).run(job(in).overwrite(true).build(), BatchListener.NONE)
			.rows().get(0).status());
	}

	@Test
	void aFidelityMapDeletedSinceIsMadeAgain() throws Exception {
		final Path in = in();
		TestImages.png8(in, "a.png", 8, 8);
		final RestoreOptions withMap = RestoreOptions.builder().fidelityMap(true).build();
		final FakeRestorer fake = new FakeRestorer();
		new BatchRestorer(fake).run(job(in).options(withMap).build(), BatchListener.NONE);
		final Path map = out().resolve("a-SANA-SR-x4-fidelity.tif");
		Files.delete(map);
		final BatchReport report = new BatchRestorer(fake).run(job(in).options(withMap).build(), BatchListener.NONE);
		assertEquals(BatchStatus.OK, report.rows().get(0).status());
		assertEquals(32, IJ.openImage(map.toString()).getBitDepth());
	}

	/** Issue 17, item 2: a job that cannot run fails once, before the first file, and touches nothing. */
	@Test
	void aJobThatCannotRunFailsBeforeTheFirstFile() throws Exception {
		final Path in = in();
		for (final String n : List.of("a.png", "b.png", "c.png")) TestImages.png8(in, n, 8, 8);
		final FakeRestorer fake = new FakeRestorer();
		fake.refuse = "No model named 'nonsense'";
		final InvalidJobException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidJobException.class,
			() -> new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE));
		assertEquals("No model named 'nonsense'", e.getMessage());
		assertEquals(List.of(), fake.restoredTitles);
		assertFalse(Files.exists(out().resolve(BatchReport.CSV_NAME)), "no summary of files never tried");
		// a bad glob is refused earlier still, when the job is built (every host builds one before running it)
		final IllegalArgumentException glob = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
			() -> job(in).pattern("*.[tif"));
		assertTrue(glob.getMessage().startsWith("The file pattern '*.[tif' is not a valid file-name glob"), glob.getMessage());
	}

	@Test
	void restorationErrorsAndBugsFailOneFileOnly() throws Exception {
		final Path in = in();
		TestImages.png8(in, "a.png", 8, 8);
		TestImages.png8(in, "b.png", 8, 8);
		TestImages.png8(in, "c.png", 8, 8);
		final FakeRestorer fake = new FakeRestorer();
		fake.failOn = "a.png"::equals;
		fake.crashOn = "b.png"::equals;
		final Map<String, BatchRow> rows = byName(new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE));
		assertEquals("model refused a.png", rows.get("a.png").message());
		assertEquals(BatchStatus.FAILED, rows.get("b.png").status());
		assertTrue(rows.get("b.png").message().contains("bug while restoring b.png"));
		assertEquals(BatchStatus.OK, rows.get("c.png").status());
		assertFalse(Files.exists(out().resolve("a-SANA-SR-x4.tif")));
		assertFalse(Files.exists(out().resolve("a-SANA-SR-x4.sanasr.json")));
	}

	@Test
	void cancellingMidFileWritesNothingForItAndARerunCompletesTheRest() throws Exception {
		final Path in = in();
		for (final String n : List.of("a.png", "b.png", "c.png")) TestImages.png8(in, n, 8, 8);
		final AtomicBoolean cancel = new AtomicBoolean();
		final BatchListener cancelInSecondFile = new BatchListener() {

			@Override
			public void fileProgress(final int index, final int count, final long done, final long total) {
				if (index == 1 && done == 2) cancel.set(true);
			}

			@Override
			public boolean isCancelled() {
				return cancel.get();
			}
		};
		final BatchReport first = new BatchRestorer(new FakeRestorer()).run(job(in).build(), cancelInSecondFile);
		assertTrue(first.cancelled());
		assertEquals(List.of(BatchStatus.OK, BatchStatus.CANCELLED), first.rows().stream().map(BatchRow::status).toList());
		assertFalse(Files.exists(out().resolve("b-SANA-SR-x4.tif")));
		assertFalse(Files.exists(out().resolve("c-SANA-SR-x4.tif")));

		final FakeRestorer fake = new FakeRestorer();
		final BatchReport rerun = new BatchRestorer(fake).run(job(in).build(), BatchListener.NONE);
		assertEquals(List.of(BatchStatus.SKIPPED, BatchStatus.OK, BatchStatus.OK),
			rerun.rows().stream().map(BatchRow::status).toList());
		assertEquals(List.of("b.png", "c.png"), fake.restoredTitles);
	}

	@Test
	void pngOutputOnlyFor8BitAndRgbPlanes() throws Exception {
		final Path in = in();
		TestImages.png8(in, "grey.png", 8, 6);
		TestImages.tif16(in, "deep.tif", 8, 6);
		final FakeRestorer fake = new FakeRestorer();
		final Map<String, BatchRow> rows = byName(
			new BatchRestorer(fake).run(job(in).format(OutputFormat.PNG).build(), BatchListener.NONE));
		assertEquals(BatchStatus.OK, rows.get("grey.png").status());
		final ImagePlus png = IJ.openImage(out().resolve("grey-SANA-SR-x4.png").toString());
		assertEquals(32, png.getWidth());
		assertEquals(BatchStatus.FAILED, rows.get("deep.tif").status());
		assertTrue(rows.get("deep.tif").message().contains("use format tif"), rows.get("deep.tif").message());
		assertEquals(List.of("grey.png"), fake.restoredTitles, "no restoration wasted on an output that cannot be written");
	}

	@Test
	void patternRecursionSubfoldersAndOwnOutputsInPlace() throws Exception {
		final Path in = in();
		TestImages.png8(in, "a.png", 8, 8);
		TestImages.tif16(in, "skip-me.tif", 8, 8);
		TestImages.png8(in.resolve("day2"), "b.PNG", 8, 8);
		TestImages.png8(in.resolve(".hidden"), "c.png", 8, 8);
		final BatchJob flat = BatchJob.builder().input(in).outputDir(in).pattern("*.png").build();
		assertEquals(List.of("a.png"), names(new BatchRestorer(new FakeRestorer()).run(flat, BatchListener.NONE)));
		// in place, recursive, with a png output now in the folder: the output is not taken as an input
		final BatchJob deep = BatchJob.builder().input(in).outputDir(in).pattern("*.png;*.gif").recursive(true)
			.format(OutputFormat.PNG).build();
		final BatchReport report = new BatchRestorer(new FakeRestorer()).run(deep, BatchListener.NONE);
		assertEquals(List.of("a.png", "b.PNG"), names(report));
		assertTrue(Files.exists(in.resolve("day2/b-SANA-SR-x4.png")), "subfolders are mirrored");
	}

	@Test
	void twoInputsWithTheSameStemDoNotOverwriteEachOther() throws Exception {
		final Path in = in();
		TestImages.png8(in, "x.png", 8, 8);
		TestImages.tif16(in, "x.tif", 8, 8);
		final Map<String, BatchRow> rows = byName(new BatchRestorer(new FakeRestorer()).run(job(in).build(), BatchListener.NONE));
		assertEquals(BatchStatus.OK, rows.get("x.png").status());
		assertEquals(BatchStatus.FAILED, rows.get("x.tif").status());
		assertTrue(rows.get("x.tif").message().contains("same output name as x.png"), rows.get("x.tif").message());
	}

	@Test
	void missingInputsAreReportedNotThrown() throws Exception {
		final BatchReport report = new BatchRestorer(new FakeRestorer())
			.run(job(tmp.resolve("nowhere")).build(), BatchListener.NONE);
		assertEquals(1, report.failures().size());
		assertEquals("no such file or folder", report.failures().get(0).message());
	}

	@Test
	void aWriterThatFailsLeavesNeitherAFinalNorATemporaryFile() throws Exception {
		final Path target = tmp.resolve("result.tif");
		final IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
			() -> AtomicOutput.write(target, p -> {
				Files.writeString(p, "half");
				throw new IOException("disk full");
			}));
		assertEquals("disk full", e.getMessage());
		assertFalse(Files.exists(target));
		assertFalse(Files.exists(AtomicOutput.temporaryName(target)));
		Files.writeString(target, "old");
		assertThrowsIO(() -> AtomicOutput.write(target, p -> { throw new IOException("again"); }));
		assertEquals("old", Files.readString(target), "a failed rewrite keeps the previous complete file");
	}

	@Test
	void csvQuotesCommasAndQuotes() {
		final BatchReport report = new BatchReport();
		report.add(BatchRow.failed(Path.of("a,b.png"), "", 0, "said \"no\""));
		assertEquals("\"a,b.png\",,,0.00,failed,\"said \"\"no\"\"\",", report.toCsv().split("\n")[1]);
		assertNotNull(report.toResultsTable());
		assertEquals("a,b.png", report.toResultsTable().getStringValue("file", 0));
	}

	private interface IORunnable {
		void run() throws IOException;
	}

	private static void assertThrowsIO(final IORunnable r) {
		try {
			r.run();
		}
		catch (final IOException e) {
			return;
		}
		throw new AssertionError("expected an IOException");
	}

	private static List<String> names(final BatchReport report) {
		return report.rows().stream().map(r -> r.file().getFileName().toString()).toList();
	}

	private void assertNoTemporaryFiles() throws IOException {
		try (Stream<Path> s = Files.walk(tmp)) {
			assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".sanasr-part")).toList());
		}
	}
}
