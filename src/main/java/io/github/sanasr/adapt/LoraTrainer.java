package io.github.sanasr.adapt;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the LoRA adapters of an adaptable TorchScript file with DJL's training API, everything else frozen.
 * DJL 0.36 facts this relies on: the module must be loaded with {@code trainParam=true} (else its tensors are
 * inference tensors that cannot take gradients); {@code newTrainer} unfreezes every parameter, so the freezing
 * by name comes after it; only one gradient collector may be open per JVM; each step's arrays live in their
 * own sub-manager, so memory stays flat. Adam updates the adapters in place; their gradients are zeroed after
 * each step (DJL's PyTorch collector does not).
 */
final class LoraTrainer implements AutoCloseable {

	private final ZooModel<NDList, NDList> model;
	private final Trainer trainer;
	private final Block block;
	private final Map<String, Parameter> adapters = new LinkedHashMap<>();
	private final Map<String, float[]> frozenAtStart = new LinkedHashMap<>();

	LoraTrainer(final Path adaptableFile, final double learningRate) throws AdaptException {
		final Device cpu = Device.cpu();
		model = load(adaptableFile, true, cpu);
		try {
			final DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l1Loss())
				.optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).build())
				.optDevices(new Device[] { cpu });
			trainer = model.newTrainer(config);
			block = model.getBlock();
			for (final Pair<String, Parameter> p : block.getParameters()) {
				final boolean adapter = isAdapter(p.getKey());
				p.getValue().freeze(!adapter);
				if (adapter) adapters.put(p.getKey(), p.getValue());
				else frozenAtStart.put(p.getKey(), p.getValue().getArray().toFloatArray());
			}
			if (adapters.isEmpty()) throw new AdaptException(adaptableFile + " has no LoRA parameters (*.lora_A/B.weight)");
		}
		catch (final AdaptException e) {
			model.close();
			throw e;
		}
		catch (final RuntimeException e) {
			model.close();
			throw new AdaptException("Cannot set up training on " + adaptableFile + ": " + e.getMessage(), e);
		}
	}

	static boolean isAdapter(final String name) {
		return name.contains(".lora_A.") || name.contains(".lora_B.");
	}

	static ZooModel<NDList, NDList> load(final Path file, final boolean trainable, final Device device)
		throws AdaptException
	{
		final Criteria.Builder<NDList, NDList> b = Criteria.builder().setTypes(NDList.class, NDList.class)
			.optModelPath(file).optEngine("PyTorch").optDevice(device).optOption("mapLocation", "true");
		if (trainable) b.optOption("trainParam", "true");
		try {
			return b.build().loadModel();
		}
		catch (final ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
			throw new AdaptException("Cannot load the TorchScript model " + file + ": " + e.getMessage(), e);
		}
	}

	int adapterParameters() {
		return adapters.values().stream().mapToInt(p -> (int) p.getArray().size()).sum();
	}

	/** One Adam step on a batch; returns the L1 loss before the step. */
	double step(final float[] x, final float[] y, final int batch, final int channels, final int lrSide,
		final int scale, final int prompt)
	{
		final double loss;
		try (NDManager sub = model.getNDManager().newSubManager(); GradientCollector gc = trainer.newGradientCollector()) {
			final NDList in = inputs(sub, x, batch, channels, lrSide, prompt);
			final NDArray target = sub.create(FloatBuffer.wrap(y), new Shape(batch, channels, (long) lrSide * scale,
				(long) lrSide * scale), DataType.FLOAT32);
			final NDArray out = trainer.forward(in).singletonOrThrow();
			final NDArray l = out.sub(target).abs().mean();
			gc.backward(l);
			loss = l.getFloat();
		}
		trainer.step();
		for (final Parameter p : adapters.values()) {
			try (NDArray g = p.getArray().getGradient()) {
				g.subi(g);
			}
		}
		return loss;
	}

	/** The model's outputs for a batch, without gradients (channel-major, batch after batch). */
	float[] predict(final float[] x, final int batch, final int channels, final int lrSide, final int prompt) {
		return forward(block, model.getNDManager(), x, batch, channels, lrSide, prompt);
	}

	static float[] forward(final Block block, final NDManager parent, final float[] x, final int batch,
		final int channels, final int lrSide, final int prompt)
	{
		JniUtils.setGradMode(false);
		try (NDManager sub = parent.newSubManager()) {
			final NDList out = block.forward(new ParameterStore(sub, false), inputs(sub, x, batch, channels, lrSide,
				prompt), false);
			return out.singletonOrThrow().toFloatArray();
		}
	}

	private static NDList inputs(final NDManager m, final float[] x, final int batch, final int channels,
		final int lrSide, final int prompt)
	{
		final NDArray image = m.create(FloatBuffer.wrap(x), new Shape(batch, channels, lrSide, lrSide), DataType.FLOAT32);
		final float[] p = new float[batch];
		Arrays.fill(p, prompt);
		return new NDList(image, m.create(p));
	}

	/** Copies of the adapters' current values, by parameter name. */
	Map<String, float[]> adapterValues() {
		final Map<String, float[]> m = new LinkedHashMap<>();
		adapters.forEach((k, v) -> m.put(k, v.getArray().toFloatArray()));
		return m;
	}

	/** Shapes of the adapters, by parameter name. */
	Map<String, long[]> adapterShapes() {
		final Map<String, long[]> m = new LinkedHashMap<>();
		adapters.forEach((k, v) -> m.put(k, v.getArray().getShape().getShape()));
		return m;
	}

	/** Names of the frozen parameters whose values are no longer bit-identical to those at the start. */
	List<String> changedFrozenParameters() {
		return frozenAtStart.entrySet().stream()
			.filter(e -> !Arrays.equals(e.getValue(), block.getParameters().get(e.getKey()).getArray().toFloatArray()))
			.map(Map.Entry::getKey).toList();
	}

	int frozenParameterCount() {
		return frozenAtStart.size();
	}

	@Override
	public void close() {
		trainer.close();
		model.close();
	}
}
