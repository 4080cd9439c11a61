package io.github.sanasr.bench;

import io.github.sanasr.core.RestoreException;
import io.github.sanasr.model.TileModel;
import io.github.sanasr.model.TileModelFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a {@link TileModelFactory} so that every {@link TileModel#predict} call is timed: the Restorer's time
 * minus this is the time spent outside the network (reading, normalising, tiling, blending, storing). The
 * decorator only adds two clock reads per tile; the Restorer itself is unchanged.
 */
public final class TimedModels implements TileModelFactory {

	private final TileModelFactory inner;
	private final AtomicLong forwardNanos = new AtomicLong();
	private final AtomicLong forwardCalls = new AtomicLong();

	public TimedModels(final TileModelFactory inner) {
		this.inner = inner;
	}

	@Override
	public TileModel open(final io.github.sanasr.model.ModelDescriptor d,
		final io.github.sanasr.core.RestoreOptions.DeviceChoice device) throws io.github.sanasr.model.ModelException
	{
		final TileModel m = inner.open(d, device);
		return new TileModel() {

			@Override
			public float[] predict(final float[] chw, final int channels, final int height, final int width,
				final int prompt) throws RestoreException
			{
				final long t0 = System.nanoTime();
				try {
					return m.predict(chw, channels, height, width, prompt);
				}
				finally {
					forwardNanos.addAndGet(System.nanoTime() - t0);
					forwardCalls.incrementAndGet();
				}
			}

			@Override
			public String device() {
				return m.device();
			}

			@Override
			public long availableMemory() {
				return m.availableMemory();
			}

			@Override
			public void close() {
				m.close();
			}
		};
	}

	/** Seconds spent inside predict since the last reset. */
	public double forwardSeconds() {
		return forwardNanos.get() / 1e9;
	}

	public long forwardCalls() {
		return forwardCalls.get();
	}

	public void reset() {
		forwardNanos.set(0);
		forwardCalls.set(0);
	}
}
