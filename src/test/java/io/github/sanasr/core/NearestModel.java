package io.github.sanasr.core;

import io.github.sanasr.model.TileModel;
import io.github.sanasr.core.RestoreException;

import java.util.ArrayList;
import java.util.List;

/**
 * Test double: nearest-neighbour upsampling in pure Java. With it the whole pipeline must give back every
 * input pixel as a scale x scale block (up to the output type's rounding), which makes exact checks possible.
 */
public class NearestModel implements TileModel {

	final int scale;
	final List<int[]> calls = new ArrayList<>();

	public NearestModel(final int scale) {
		this.scale = scale;
	}

	@Override
	public float[] predict(final float[] chw, final int channels, final int height, final int width, final int prompt)
		throws RestoreException
	{
		calls.add(new int[] { width, height, prompt });
		final int ow = width * scale, oh = height * scale;
		final float[] out = new float[channels * ow * oh];
		for (int c = 0; c < channels; c++)
			for (int y = 0; y < oh; y++)
				for (int x = 0; x < ow; x++)
					out[(c * oh + y) * ow + x] = chw[(c * height + y / scale) * width + x / scale];
		return out;
	}

	@Override
	public String device() {
		return "java-test-double";
	}

	@Override
	public void close() {}
}
