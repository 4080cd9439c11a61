package io.github.sanasr.core;

import io.github.sanasr.model.ModelDescriptor;

import ij.ImagePlus;
import ij.io.FileInfo;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The record of how a restoration was made ({@link Provenance}): model, options, tiling, input, output. */
final class RestoreProvenance {

	private RestoreProvenance() {}

	/** What the restoration did, beyond its options: gathered by {@link Restorer} as it runs. */
	record Run(ImagePlus input, PlaneSource source, int groups, ImagePlus output, OutputImage.Type outputType,
		String device, int tile, int tiles, String normalisation, double fidelityRms, double inventedRms, List<String> notes,
		long startNanos, Map<String, String> extra) {}

	static Provenance of(final ResolvedOptions r, final Run run) {
		final ModelDescriptor d = r.model();
		final RestoreOptions o = r.options();
		final int scale = r.scale(), nativeScale = r.nativeScale();
		final Provenance p = new Provenance();
		p.put("sanasr_plugin", "SANA-SR for Fiji").put("sanasr_plugin_version", Restorer.pluginVersion());
		p.put("model_name", d.name()).put("model_version", d.version()).put("model_sha256", d.sha256())
			.put("model_file", d.modelFile());
		d.prior().ifPresent(prior -> p.put("model_prior", prior.summary()));
		// the precision that ran (float32 or bfloat16) and why; it changes pixels, so it is part of the identity too
		p.put("precision", d.precision()).put("precision_choice", r.choice().reason());
		if (r.choice().isVariant()) p.put("model_requested", r.choice().named().name());
		p.put("scale", scale).put("model_scale", nativeScale)
			.put("resampling", scale == nativeScale ? "none" : "area average of the model's x" + nativeScale + " output to x" + scale);
		p.put("tile_size", run.tile()).put("tile_overlap", TilePlan.overlapFor(d.stride(), d.halo()))
			.put("tile_margin", TilePlan.roundUp(d.halo(), d.stride())).put("tile_stride", d.stride()).put("tiles", run.tiles());
		p.put("normalisation", "robust percentiles per plane" + (run.source().components() == 3 && run.groups() == 1
			? " (R, G, B together)" : " and channel"));
		p.put("normalisation_percentiles", Restorer.fmt(o.lowPercentile()) + "-" + Restorer.fmt(o.highPercentile()));
		p.put("normalisation_values", run.normalisation());
		p.put("prompt", r.promptName()).put("prompt_mode", r.promptMode()).put("device", run.device())
			.put("threads", Runtime.getRuntime().availableProcessors());
		p.put("run_time_s", String.format(Locale.ROOT, "%.2f", (System.nanoTime() - run.startNanos()) / 1e9))
			.put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS));
		final ImagePlus input = run.input();
		p.put("input_title", input.getTitle()).put("input_path", inputPath(input))
			.put("input_dimensions", Restorer.dimensions(input))
			.put("input_type", run.source().kind().name().toLowerCase(Locale.ROOT));
		p.put("output_dimensions", Restorer.dimensions(run.output()))
			.put("output_type", run.outputType().name().toLowerCase(Locale.ROOT));
		// the resume identity: entries above keep their place, the options that have none join here
		r.identity().forEach(p::put);
		if (o.consistency()) p.put("consistency_projection", "binning: each " + scale + "x" + scale +
			" block's mean set to the input pixel, before conversion to " +
			run.outputType().name().toLowerCase(Locale.ROOT));
		p.put("fidelity_degradation", degradationNote(d));
		p.put("fidelity_rms", String.format(Locale.ROOT, "%.6g", run.fidelityRms()));
		p.put("invented_detail_rms", String.format(Locale.ROOT, "%.6g", run.inventedRms()));
		if (!run.notes().isEmpty()) p.put("notes", String.join("; ", run.notes()));
		p.put("generative", d.generative());
		p.put("statement", Restorer.GENERATIVE_STATEMENT);
		if (run.extra() != null) run.extra().forEach(p::put);
		return p;
	}

	private static String inputPath(final ImagePlus input) {
		final FileInfo fi = input.getOriginalFileInfo();
		if (fi == null || fi.fileName == null || fi.fileName.isEmpty()) return "(not saved)";
		return fi.directory == null ? fi.fileName : fi.directory + fi.fileName;
	}

	private static String degradationNote(final ModelDescriptor d) {
		final String t = d.degradationType();
		if ("area".equalsIgnoreCase(t)) return "area (mean over scale x scale blocks)";
		return "area (the model names '" + t + "', which the plugin does not implement; area used)";
	}
}
