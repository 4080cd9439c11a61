package io.github.sanasr.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.github.sanasr.core.RestoreOptions.DeviceChoice;

/** Turns auto / cpu / gpu into a DJL {@link Device}. */
public final class DeviceChooser {

	private DeviceChooser() {}

	public static Device choose(final DeviceChoice choice) throws ModelException {
		DjlSetup.ensure();
		switch (choice) {
			case CPU:
				return Device.cpu();
			case GPU:
				if (gpuCount() == 0) throw new ModelException(
					"device=gpu was asked for, but DJL's PyTorch engine sees no GPU. The plugin bundles the CPU build " +
						"of libtorch; for a GPU install a CUDA build of libtorch 2.7.1 and set PYTORCH_LIBRARY_PATH to " +
						"its lib folder (or put DJL's pytorch-native-cu* 2.7.1 jar on the class path), or use device=cpu/auto.");
				return Device.gpu();
			default:
				return gpuCount() > 0 ? Device.gpu() : Device.cpu();
		}
	}

	public static int gpuCount() throws ModelException {
		try {
			return engine().getGpuCount();
		}
		catch (final RuntimeException | UnsatisfiedLinkError e) {
			throw new ModelException("DJL's PyTorch engine could not start: " + e.getMessage(), e);
		}
	}

	static Engine engine() {
		DjlSetup.ensure();
		return Engine.getEngine("PyTorch");
	}

	/** "cpu" or "gpu(0)": the way the log and provenance name a device. */
	public static String describe(final Device d) {
		return d.isGpu() ? "gpu(" + d.getDeviceId() + ")" : "cpu";
	}
}
