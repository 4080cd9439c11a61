package io.github.sanasr.batch;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where the outputs of one input go. For {@code cell.png} at scale 4 with TIFF output:
 * {@code cell-SANA-SR-x4.tif}, {@code cell-SANA-SR-x4-fidelity.tif} (when asked for) and the provenance
 * sidecar {@code cell-SANA-SR-x4.sanasr.json}. The image is written last ({@link OutputWriter}), so it marks a
 * complete set; {@link ResumeCheck} decides what a rerun does with one.
 */
public final class OutputNames {

	/** Names this plugin writes; never taken as inputs, so an in-place batch does not restore its own outputs. */
	private static final Pattern OWN_OUTPUT = Pattern.compile(
		".*-SANA-SR-x\\d+(-fidelity)?\\.(tif|tiff|png)|.*\\.sanasr\\.json|" + BatchReport.CSV_NAME.replace(".", "\\."),
		Pattern.CASE_INSENSITIVE);

	private final Path image;
	private final Path fidelityMap;
	private final Path sidecar;

	public OutputNames(final Path dir, final String inputFileName, final int scale, final OutputFormat format) {
		final String base = stem(inputFileName) + "-SANA-SR-x" + scale;
		image = dir.resolve(base + "." + format.extension());
		fidelityMap = dir.resolve(base + "-fidelity.tif");
		sidecar = dir.resolve(base + ".sanasr.json");
	}

	public Path image() { return image; }
	public Path fidelityMap() { return fidelityMap; }
	public Path sidecar() { return sidecar; }

	public static boolean isOwnOutput(final String fileName) {
		return OWN_OUTPUT.matcher(fileName).matches();
	}

	static String stem(final String fileName) {
		final String lower = fileName.toLowerCase(java.util.Locale.ROOT);
		// ".ome.tif" is one extension for the people who write it
		if (lower.endsWith(".ome.tif") || lower.endsWith(".ome.tiff")) return fileName.substring(0, lower.lastIndexOf(".ome."));
		final int dot = fileName.lastIndexOf('.');
		return dot > 0 ? fileName.substring(0, dot) : fileName;
	}
}
