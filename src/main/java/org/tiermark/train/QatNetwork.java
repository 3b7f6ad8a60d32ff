package org.tiermark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Network} run with fake quantization at exactly the tensors sptq quantizes in its export:
 * every convolution with its batch norm folded (running statistics frozen, as the exporter folds them)
 * and its folded weight fake-quantized per output channel; the head in float (sptq keeps the output layer in float); the
 * activations sptq gives a uint8 range (the image, each ReLU output, each convolution output read by an
 * Add, each unit's output, the pooled features), named as in the export. Activation ranges start from
 * sptq's calibrated ranges ({@link #startFrom}), so that training begins at exactly the model sptq
 * exports, and then follow moving averages (momentum {@link #MOMENTUM}) of each training batch's min and
 * max: the learned ranges the export uses instead of calibration.
 */
public final class QatNetwork extends AbstractBlock {
    /** Weight of the old range in the moving average of activation ranges. */
    static final float MOMENTUM = FakeQuant.RANGE_MOMENTUM;

    private final Network net;
    private final Map<String, float[]> ranges = new LinkedHashMap<>();

    public QatNetwork(Network net) {
        this.net = addChildBlock("net", net);
    }

    public Network network() {
        return net;
    }

    /**
     * Sets every activation range to {@code calibrated}'s (by exported tensor name), replacing what was
     * observed so far; {@code needed} are the tensors the export quantizes, each of which must be given.
     */
    public void startFrom(Map<String, float[]> calibrated, Set<String> needed) {
        for (String t : needed) {
            float[] r = calibrated.get(t);
            if (r == null || r.length != 2 || !(r[0] <= r[1])) {
                throw new IllegalStateException("qat: no calibrated [min, max] range for tensor '" + t + "' (given: "
                        + calibrated.keySet() + ")");
            }
        }
        ranges.clear();
        calibrated.forEach((k, v) -> ranges.put(k, v.clone()));
    }

    /** Learned {@code [min, max]} per activation tensor, by its name in the exported graph. */
    public Map<String, float[]> ranges() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        ranges.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = observe(FmnistInputs.TENSOR, inputs.singletonOrThrow(), training);
        x = observe("stem", Activation.relu(conv(ps, net.stem(), x, training)), training);
        List<List<ResidualUnit>> stages = net.stages();
        for (int s = 0; s < stages.size(); s++) {
            List<ResidualUnit> units = stages.get(s);
            for (int u = 0; u < units.size(); u++) {
                String prefix = Network.stageName(s) + "_" + u;
                String out = Network.unitOutput(s, u, units.size());
                ResidualUnit unit = units.get(u);
                List<ConvBn> main = unit.main();
                NDArray h = x;
                for (int i = 0; i < main.size(); i++) {
                    h = conv(ps, main.get(i), h, training);
                    h = i < main.size() - 1
                            ? observe(prefix + ".relu" + (i + 1), Activation.relu(h), training)
                            : observe(prefix + ".conv" + (i + 1), h, training);
                }
                NDArray in = x;
                NDArray identity = unit.shortcut()
                        .map(c -> observe(prefix + ".downsample", conv(ps, c, in, training), training)).orElse(in);
                x = observe(out, Activation.relu(h.add(identity)), training);
            }
        }
        NDArray pooled = observe("pool", x.mean(new int[] {3}).mean(new int[] {2}), training);
        NDArray w = local(ps.getValue(net.head().getParameters().get("weight"), x.getDevice(), training), x);
        NDArray b = ps.getValue(net.head().getParameters().get("bias"), x.getDevice(), training);
        return Linear.linear(pooled, w, b);
    }

    /**
     * {@code p} as an array of {@code like}'s manager (the batch's), gradient still flowing to {@code p}.
     * DJL attaches an op's result to its first operand's manager: arrays computed from parameters would
     * otherwise live on the model's manager until the run ends (19 GB after 15 minutes of training here).
     */
    private static NDArray local(NDArray p, NDArray like) {
        return like.getManager().zeros(p.getShape(), p.getDataType(), p.getDevice()).add(p);
    }

    /** Conv with batch norm folded from its running statistics, the folded weight fake-quantized. */
    private static NDArray conv(ParameterStore ps, ConvBn cb, NDArray x, boolean training) {
        var device = x.getDevice();
        NDArray w = local(ps.getValue(cb.conv().getParameters().get("weight"), device, training), x);
        var p = cb.norm().getParameters();
        NDArray gamma = local(ps.getValue(p.get("gamma"), device, training), x);
        NDArray beta = local(ps.getValue(p.get("beta"), device, training), x);
        NDArray mean = local(ps.getValue(p.get("runningMean"), device, training), x).stopGradient();
        NDArray var = local(ps.getValue(p.get("runningVar"), device, training), x).stopGradient();
        NDArray scale = gamma.div(var.add(ConvBn.EPSILON).sqrt());
        NDArray folded = w.mul(scale.reshape(-1, 1, 1, 1));
        NDArray bias = beta.sub(mean.mul(scale));
        int pad = cb.kernel() / 2;
        return Conv2d.conv2d(x, FakeQuant.weightPerChannel(folded), bias, new Shape(cb.stride(), cb.stride()),
                new Shape(pad, pad), new Shape(1, 1), cb.groups()).singletonOrThrow();
    }

    /** Updates {@code name}'s range from {@code x} when training, then fake-quantizes {@code x} with it. */
    private NDArray observe(String name, NDArray x, boolean training) {
        float[] r = FakeQuant.observeRange(ranges, name, x, training);
        return FakeQuant.activation(x, r[0], r[1]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return net.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        net.initialize(manager, dataType, inputShapes);
    }
}
