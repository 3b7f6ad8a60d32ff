package org.tiermark.train;

import java.util.List;
import org.tiermark.InvalidInputException;

/**
 * The shape of one of tiermark's own image classifiers: a stem, four residual stages named
 * {@code layer1..layer4} (so that "after the third stage" is a stable cut point) and a linear head.
 *
 * @param name        the catalog model's name ({@code resnet-fmnist}, {@code resnext-fmnist})
 * @param inputSize   width and height the input is resized to (bilinear, by {@code ImagePreprocessor})
 * @param stemChannels output channels of the stem's 3x3 convolution
 * @param stemStride  the stem's stride: 2 halves the upscaled input right away
 * @param widths      output channels of layer1..layer4
 * @param blocks      residual units in layer1..layer4
 * @param cardinality 1: ResNet basic units (two 3x3 convolutions); > 1: ResNeXt bottleneck units whose
 *                    3x3 convolution is grouped into this many groups
 * @param bottleneck  channels inside a unit per output channel: ResNeXt's grouped 3x3 convolution, ResNet's
 *                    first 3x3 convolution (1.0 for the trained models; channel pruning lowers it)
 * @param classes     output classes
 */
public record Architecture(
        String name, int inputSize, int stemChannels, int stemStride,
        List<Integer> widths, List<Integer> blocks, int cardinality, double bottleneck, int classes) {

    public static final List<String> NAMES = List.of("resnet-fmnist", "resnext-fmnist");

    public Architecture {
        widths = List.copyOf(widths);
        blocks = List.copyOf(blocks);
        if (widths.size() != 4 || blocks.size() != 4) {
            throw new IllegalArgumentException("four stages (layer1..layer4) expected");
        }
        if (cardinality < 1) {
            throw new IllegalArgumentException("cardinality must be >= 1");
        }
        if (!(bottleneck > 0 && bottleneck <= 1)) {
            throw new IllegalArgumentException("bottleneck must be in (0, 1] (got " + bottleneck + ")");
        }
        for (int w : widths) {
            if (groupWidth(w, cardinality, bottleneck) < 1) {
                throw new IllegalArgumentException("stage width " + w + " x bottleneck " + bottleneck + " leaves no channel");
            }
            if (cardinality > 1 && groupWidth(w, cardinality, bottleneck) % cardinality != 0) {
                throw new IllegalArgumentException("stage width " + w + " does not split into " + cardinality + " groups");
            }
        }
    }

    /** True for ResNeXt-style bottleneck units with grouped convolutions. */
    public boolean grouped() {
        return cardinality > 1;
    }

    /** Channels inside a unit of stage {@code stage}: a bottleneck's grouped 3x3, a basic unit's first 3x3 output. */
    public int innerWidth(int stage) {
        return groupWidth(widths.get(stage), cardinality, bottleneck);
    }

    /**
     * The same family with every width (stem, stages, and so the channels inside units) scaled by
     * {@code widthRatio} and the same depth, so that the stage names and early-exit depth still apply:
     * a distillation student. Multiply-adds scale by about {@code widthRatio^2}.
     */
    public Architecture narrower(String newName, double widthRatio) {
        int unit = grouped() ? cardinality : 1;
        List<Integer> w = widths.stream().map(x -> scaled(x, widthRatio, unit)).toList();
        return new Architecture(newName, inputSize, scaled(stemChannels, widthRatio, 1), stemStride, w, blocks,
                cardinality, bottleneck, classes);
    }

    /** The same network with {@code keep} of the channels inside each residual unit: a channel-pruned model. */
    public Architecture withInnerRatio(String newName, double keep) {
        return new Architecture(newName, inputSize, stemChannels, stemStride, widths, blocks, cardinality,
                bottleneck * keep, classes);
    }

    /** {@code x * ratio} rounded to a multiple of {@code unit} (the group count), at least one unit. */
    private static int scaled(int x, double ratio, int unit) {
        return Math.max(unit, (int) Math.round(x * ratio / unit) * unit);
    }

    private static int groupWidth(int width, int cardinality, double bottleneck) {
        return (int) Math.round(width * bottleneck);
    }

    /** Stride of stage {@code stage}: layer1 keeps the stem's resolution, each later stage halves it. */
    public static int stageStride(int stage) {
        return stage == 0 ? 1 : 2;
    }

    /**
     * ResNet-style: the 1x28x28 image as it is, stride-1 stem of 32 channels, basic units of two 3x3
     * convolutions, widths 32/64/128/256 at 28/14/7/4 pixels, two units in layer3 and layer4 (so early
     * exit can skip one). {@link #cost()} gives its size.
     */
    public static Architecture resnet() {
        return new Architecture("resnet-fmnist", 28, 32, 1, List.of(32, 64, 128, 256), List.of(1, 1, 2, 2), 1, 1.0, 10);
    }

    /**
     * ResNeXt-style: the image upscaled to 32x32, stride-2 stem of 32 channels, bottleneck units 1x1 ->
     * grouped 3x3 (8 groups) -> 1x1, widths 64/128/256/256 with as many channels inside each unit (8 to
     * 32 channels per group) at 16/8/4/2 pixels, two units in layer3 and layer4. Grouped convolutions
     * train several times slower per multiply-add than dense ones in PyTorch's CPU kernels, so this
     * network works at a coarser resolution than the ResNet to train in the same time.
     */
    public static Architecture resnext() {
        return new Architecture("resnext-fmnist", 32, 32, 2, List.of(64, 128, 256, 256), List.of(1, 1, 2, 2), 8, 1.0, 10);
    }

    /** Parameters (batch norm folded into the convolutions, as exported) and multiply-adds per image. */
    public record Cost(long parameters, long multiplyAdds) {}

    /** What the exported network holds and computes per image: the sizes a model card quotes. */
    public Cost cost() {
        long[] acc = new long[2];
        int side = out(inputSize, stemStride);
        conv(acc, 1, stemChannels, 3, 1, side);
        int in = stemChannels;
        for (int s = 0; s < 4; s++) {
            for (int b = 0; b < blocks.get(s); b++) {
                int stride = b == 0 ? stageStride(s) : 1;
                int outSide = out(side, stride);
                int w = widths.get(s);
                if (grouped()) {
                    int inner = innerWidth(s);
                    conv(acc, in, inner, 1, 1, side);
                    conv(acc, inner, inner, 3, cardinality, outSide);
                    conv(acc, inner, w, 1, 1, outSide);
                } else {
                    int inner = innerWidth(s);
                    conv(acc, in, inner, 3, 1, outSide);
                    conv(acc, inner, w, 3, 1, outSide);
                }
                if (in != w || stride != 1) {
                    conv(acc, in, w, 1, 1, outSide);
                }
                in = w;
                side = outSide;
            }
        }
        acc[0] += (long) in * classes + classes;
        acc[1] += (long) in * classes;
        return new Cost(acc[0], acc[1]);
    }

    private static int out(int side, int stride) {
        return (side + stride - 1) / stride;
    }

    private static void conv(long[] acc, int in, int out, int kernel, int groups, int outSide) {
        long weights = (long) out * (in / groups) * kernel * kernel;
        acc[0] += weights + out;
        acc[1] += weights * outSide * outSide;
    }

    public static Architecture byName(String name) {
        return switch (name) {
            case "resnet-fmnist" -> resnet();
            case "resnext-fmnist" -> resnext();
            default -> throw InvalidInputException.unknown("model", name, null, NAMES);
        };
    }
}
