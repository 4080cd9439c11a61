package io.github.sanasr.adapt;

import java.nio.file.Path;

/**
 * The outcome of an adaptation. {@code folder} is null when no model was written (no gain on the user's
 * images); PSNRs are in dB on the held-out patches, in the normalised intensity range.
 */
public record AdaptResult(String name, Path folder, double basePsnr, double adaptedPsnr, double mergedPsnr,
	int steps, int bestStep, double minutes, int trainPatches, int heldOutPatches, String message)
{
	public boolean written() {
		return folder != null;
	}

	public double gain() {
		return adaptedPsnr - basePsnr;
	}
}
