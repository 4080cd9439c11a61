package io.github.sanasr.model;

import io.github.sanasr.core.RestoreOptions.DeviceChoice;

/** Opens a {@link TileModel} for a descriptor on a device; the core's seam for test doubles. */
@FunctionalInterface
public interface TileModelFactory {

	TileModel open(ModelDescriptor descriptor, DeviceChoice device) throws ModelException;

	/** The real one: TorchScript through DJL's PyTorch engine, models cached per (file, device). */
	static TileModelFactory djl() {
		return SrModel::open;
	}
}
