package io.github.sanasr.model;

import io.github.sanasr.core.RestoreException;

/**
 * One super-resolution network ready to run on tiles, used by one thread at a time (the core opens one per
 * restoration). {@link SrModel} runs TorchScript through DJL; tests substitute pure-Java doubles.
 */
public interface TileModel extends AutoCloseable {

	/**
	 * Runs one tile.
	 *
	 * @param chw input, channel-major {@code [channels][height][width]} flattened, normalised intensities
	 * @param channels the model's input channel count
	 * @param height tile height in input pixels, a multiple of the stride
	 * @param width tile width in input pixels, a multiple of the stride
	 * @param prompt index into the descriptor's prompts
	 * @return {@code [channels][scale*height][scale*width]} flattened
	 * @throws TileOutOfMemoryException when the tile did not fit into memory (the caller retries smaller)
	 */
	float[] predict(float[] chw, int channels, int height, int width, int prompt) throws RestoreException;

	/** The device that actually runs the model, in words ("cpu", "gpu(0)"). */
	String device();

	/**
	 * Bytes the device can still give a forward pass (free GPU memory), or -1 when the device is the CPU or
	 * unknown; then the core sizes tiles from the machine's free memory.
	 */
	default long availableMemory() {
		return -1;
	}

	@Override
	void close();
}
