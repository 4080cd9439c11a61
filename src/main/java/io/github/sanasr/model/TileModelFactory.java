package io.github.sanasr.model;

import io.github.sanasr.core.RestoreOptions.DeviceChoice;

/** Opens a {@link TileModel} for a descriptor on a device; the core's seam for test doubles. */
@FunctionalInterface
public interface TileModelFactory {

	TileModel open(ModelDescriptor descriptor, DeviceChoice device) throws ModelException;

	/** Whether {@link #open} with this choice will run on a GPU (decides the automatic precision); test doubles: no. */
	default boolean onGpu(final DeviceChoice device) throws ModelException {
		return false;
	}

	/** The real one: TorchScript through DJL's PyTorch engine, models cached per (file, device). */
	static TileModelFactory djl() {
		return new TileModelFactory() {

			@Override
			public TileModel open(final ModelDescriptor descriptor, final DeviceChoice device) throws ModelException {
				return SrModel.open(descriptor, device);
			}

			@Override
			public boolean onGpu(final DeviceChoice device) throws ModelException {
				return device != DeviceChoice.CPU && DeviceChooser.choose(device).isGpu();
			}
		};
	}
}
