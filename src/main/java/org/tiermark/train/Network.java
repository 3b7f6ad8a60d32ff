package org.tiermark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiermark image classifier as a DJL block: stem conv+bn+relu, stages layer1..layer4 of residual
 * units, global average pooling and a linear head giving logits. Its structure is what
 * {@link OnnxExporter} writes.
 */
public final class Network extends AbstractBlock {
    private final Architecture architecture;
    private final ConvBn stem;
    private final List<List<ResidualUnit>> stages = new ArrayList<>();
    private final Linear head;

    public Network(Architecture a) {
        this.architecture = a;
        this.stem = addChildBlock("stem", new ConvBn(a.stemChannels(), 3, a.stemStride(), 1));
        int in = a.stemChannels();
        for (int s = 0; s < 4; s++) {
            List<ResidualUnit> units = new ArrayList<>();
            for (int b = 0; b < a.blocks().get(s); b++) {
                int stride = b == 0 ? Architecture.stageStride(s) : 1;
                int out = a.widths().get(s);
                ResidualUnit u = a.grouped()
                        ? ResidualUnit.bottleneck(in, out, a.innerWidth(s), a.cardinality(), stride)
                        : ResidualUnit.basic(in, out, a.innerWidth(s), stride);
                units.add(addChildBlock(stageName(s) + "_" + b, u));
                in = out;
            }
            stages.add(List.copyOf(units));
        }
        this.head = addChildBlock("fc", Linear.builder().setUnits(a.classes()).build());
    }

    /** {@code layer1} .. {@code layer4}: the name of a stage's output tensor in the exported graph too. */
    public static String stageName(int stage) {
        return "layer" + (stage + 1);
    }

    /**
     * The tensor a residual unit writes: {@code layerN_u} inside a stage, the stage's own name for its
     * last unit, so that partition and early exit find the same names in every network of the family.
     */
    public static String unitOutput(int stage, int unit, int unitsInStage) {
        return unit == unitsInStage - 1 ? stageName(stage) : stageName(stage) + "_" + unit;
    }

    public Architecture architecture() {
        return architecture;
    }

    public ConvBn stem() {
        return stem;
    }

    public List<List<ResidualUnit>> stages() {
        return List.copyOf(stages);
    }

    public Linear head() {
        return head;
    }

    /** Input shape for a batch of {@code n} images. */
    public Shape inputShape(long n) {
        return new Shape(n, 1, architecture.inputSize(), architecture.inputSize());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = new NDList(Activation.relu(stem.forward(ps, inputs, training, params).singletonOrThrow()));
        for (List<ResidualUnit> stage : stages) {
            for (ResidualUnit u : stage) {
                x = u.forward(ps, x, training, params);
            }
        }
        // PyTorch engine reduces one axis at a time
        NDArray pooled = x.singletonOrThrow().mean(new int[] {3}).mean(new int[] {2});
        return head.forward(ps, new NDList(pooled), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), architecture.classes())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        stem.initialize(manager, dataType, inputShapes);
        Shape[] s = stem.getOutputShapes(inputShapes);
        for (List<ResidualUnit> stage : stages) {
            for (ResidualUnit u : stage) {
                u.initialize(manager, dataType, s);
                s = u.getOutputShapes(s);
            }
        }
        head.initialize(manager, dataType, new Shape(s[0].get(0), s[0].get(1)));
    }
}
