package org.tiermark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One residual unit: {@code relu(main(x) + shortcut(x))}, where the main path is a chain of
 * conv+bn with ReLU between them, and the shortcut is the identity or a strided 1x1 conv+bn.
 * ResNet basic unit: 3x3, 3x3. ResNeXt bottleneck unit: 1x1, grouped 3x3, 1x1.
 */
public final class ResidualUnit extends AbstractBlock {
    private final List<ConvBn> main = new ArrayList<>();
    private final ConvBn shortcut;

    private ResidualUnit(List<ConvBn> path, ConvBn shortcut) {
        for (int i = 0; i < path.size(); i++) {
            main.add(addChildBlock("conv" + (i + 1), path.get(i)));
        }
        this.shortcut = shortcut == null ? null : addChildBlock("downsample", shortcut);
    }

    /** ResNet basic unit whose first 3x3 convolution has {@code inner} output channels. */
    public static ResidualUnit basic(int inChannels, int outChannels, int inner, int stride) {
        return new ResidualUnit(List.of(new ConvBn(inner, 3, stride, 1), new ConvBn(outChannels, 3, 1, 1)),
                needsProjection(inChannels, outChannels, stride) ? new ConvBn(outChannels, 1, stride, 1) : null);
    }

    /** ResNeXt bottleneck unit with a grouped 3x3 convolution of {@code inner} channels. */
    public static ResidualUnit bottleneck(int inChannels, int outChannels, int inner, int groups, int stride) {
        return new ResidualUnit(List.of(new ConvBn(inner, 1, 1, 1), new ConvBn(inner, 3, stride, groups),
                new ConvBn(outChannels, 1, 1, 1)),
                needsProjection(inChannels, outChannels, stride) ? new ConvBn(outChannels, 1, stride, 1) : null);
    }

    private static boolean needsProjection(int in, int out, int stride) {
        return in != out || stride != 1;
    }

    public List<ConvBn> main() {
        return List.copyOf(main);
    }

    public Optional<ConvBn> shortcut() {
        return Optional.ofNullable(shortcut);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (int i = 0; i < main.size(); i++) {
            x = main.get(i).forward(ps, x, training, params);
            if (i < main.size() - 1) {
                x = new NDList(Activation.relu(x.singletonOrThrow()));
            }
        }
        NDArray identity = shortcut == null ? inputs.singletonOrThrow()
                : shortcut.forward(ps, inputs, training, params).singletonOrThrow();
        return new NDList(Activation.relu(x.singletonOrThrow().add(identity)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (ConvBn c : main) {
            s = c.getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        for (ConvBn c : main) {
            c.initialize(manager, dataType, s);
            s = c.getOutputShapes(s);
        }
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
