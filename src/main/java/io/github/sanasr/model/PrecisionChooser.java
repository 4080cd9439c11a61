package io.github.sanasr.model;

import io.github.sanasr.core.RestoreOptions.PrecisionChoice;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which model file runs for a precision option: the model the user named, or its variant in the other
 * precision (descriptor keys {@code precision}, {@code variants}, {@code variant_of}; docs/model-format.md).
 * <ul>
 * <li>{@code float32}: a float32 model; a bfloat16 model is replaced by the model it was made from.</li>
 * <li>{@code bfloat16}: a bfloat16 model; a float32 model without a bfloat16 variant is an error.</li>
 * <li>{@code auto}: the bfloat16 variant where the CPU computes bfloat16 in hardware and the model runs on the
 * CPU (on a GPU the float32 model, as before variants existed); a model named directly runs as it is.</li>
 * </ul>
 * A variant is looked up as a sibling folder of the named model first (so a model given by path brings its own),
 * then by name in the registry; it must have the same scale, input channels, prompts and prompt modes (tiling
 * follows the model that runs).
 */
public final class PrecisionChooser {

	/** The model that runs and why it was chosen (one line for the log and provenance). */
	public record Choice(ModelDescriptor model, ModelDescriptor named, String reason) {

		/** Whether a variant runs instead of the model the options name. */
		public boolean isVariant() {
			return model != named;
		}
	}

	private final ModelRegistry registry;
	private final CpuFeatures cpu;

	public PrecisionChooser(final ModelRegistry registry, final CpuFeatures cpu) {
		this.registry = registry;
		this.cpu = cpu;
	}

	/**
	 * @param named the model the options name
	 * @param onGpu whether the model will run on a GPU
	 */
	public Choice choose(final ModelDescriptor named, final PrecisionChoice choice, final boolean onGpu)
		throws ModelException
	{
		final String has = named.precision();
		switch (choice) {
			case FLOAT32:
				if (has.equals(ModelDescriptor.FLOAT32)) return new Choice(named, named, "float32 asked for");
				if (named.variantOf() == null) throw new ModelException("precision=float32 was asked for, but " +
					named.name() + " is a " + has + " model that names no float32 original ('variant_of' in " +
					named.descriptorFile() + "); choose precision=auto or a float32 model");
				return new Choice(variant(named, named.variantOf(), ModelDescriptor.FLOAT32, true), named,
					"float32 asked for: " + named.name() + " is the " + has + " variant of " + named.variantOf());
			case BFLOAT16:
				if (has.equals(ModelDescriptor.BFLOAT16)) return new Choice(named, named, "bfloat16 asked for");
				final String name = named.variants().get(ModelDescriptor.BFLOAT16);
				if (name == null) throw new ModelException("precision=bfloat16 was asked for, but " + named.name() +
					" has no bfloat16 variant ('variants' in " + named.descriptorFile() + "); choose precision=auto or float32");
				return new Choice(variant(named, name, ModelDescriptor.BFLOAT16, true), named, "bfloat16 asked for");
			default:
				if (has.equals(ModelDescriptor.BFLOAT16)) return new Choice(named, named, "auto: " + named.name() +
					" is a bfloat16 model, named directly");
				final String bf16 = named.variants().get(ModelDescriptor.BFLOAT16);
				if (bf16 == null) return new Choice(named, named, "auto: " + named.name() + " has no bfloat16 variant");
				if (onGpu) return new Choice(named, named, "auto: float32 on a GPU");
				if (!cpu.fastBfloat16()) return new Choice(named, named, "auto: the CPU has " + cpu.describe());
				final ModelDescriptor v = variant(named, bf16, ModelDescriptor.BFLOAT16, false);
				if (v == null) return new Choice(named, named, "auto: the bfloat16 variant " + bf16 + " is not installed");
				return new Choice(v, named, "auto: the CPU has " + cpu.describe() + " and " + named.name() +
					" a bfloat16 variant");
		}
	}

	/** The variant, checked against the named model; null when it is missing and {@code required} is false. */
	private ModelDescriptor variant(final ModelDescriptor named, final String name, final String precision,
		final boolean required) throws ModelException
	{
		ModelDescriptor v = null;
		final Path sibling = named.folder().getParent() == null ? null : named.folder().getParent().resolve(name)
			.resolve(ModelRegistry.DESCRIPTOR);
		if (sibling != null && name.matches("[A-Za-z0-9._-]+") && Files.isRegularFile(sibling)) v = ModelDescriptor.read(
			sibling);
		else {
			try {
				v = registry.resolve(name);
			}
			catch (final ModelException e) {
				if (required) throw new ModelException("The " + precision + " variant " + name + " of " + named.name() +
					" is not installed: " + e.getMessage(), e);
				return null;
			}
		}
		if (!v.precision().equals(precision)) throw mismatch(named, v, "its precision is " + v.precision() + ", not " +
			precision);
		if (v.scale() != named.scale() || v.inputChannels() != named.inputChannels()) throw mismatch(named, v,
			"the scale or the input channels differ");
		if (!v.prompts().equals(named.prompts())) throw mismatch(named, v, "the prompts differ");
		if (!v.promptModes().equals(named.promptModes())) throw mismatch(named, v, "the prompt modes differ");
		return v;
	}

	private static ModelException mismatch(final ModelDescriptor named, final ModelDescriptor v, final String what) {
		return new ModelException("Model " + v.name() + " (" + v.descriptorFile() + ") is named as a variant of " +
			named.name() + " (" + named.descriptorFile() + ") but does not match it: " + what + ". Fix 'variants' or " +
			"'variant_of', or choose precision=float32.");
	}
}
