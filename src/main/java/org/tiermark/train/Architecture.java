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
 * @param bottleneck  ResNeXt: channels of the grouped 3x3 convolution per output channel (e.g. 0.5)
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
        for (int w : widths) {
            if (cardinality > 1 && groupWidth(w, cardinality, bottleneck) % cardinality != 0) {
                throw new IllegalArgumentException("stage width " + w + " does not split into " + cardinality + " groups");
            }
        }
    }

    /** True for ResNeXt-style bottleneck units with grouped convolutions. */
    public boolean grouped() {
        return cardinality > 1;
    }

    /** Channels of a bottleneck unit's grouped 3x3 convolution. */
    public int innerWidth(int stage) {
        return grouped() ? groupWidth(widths.get(stage), cardinality, bottleneck) : widths.get(stage);
    }

    private static int groupWidth(int width, int cardinality, double bottleneck) {
        return (int) Math.round(width * bottleneck);
    }

    /** Stride of stage {@code stage}: layer1 keeps the stem's resolution, each later stage halves it. */
    public static int stageStride(int stage) {
        return stage == 0 ? 1 : 2;
    }

    /**
     * ResNet-style: 1x64x64 input (Fashion-MNIST upscaled 28 -> 64), stride-2 stem to 32x32, basic units of
     * two 3x3 convolutions, widths 16/32/64/128 at 32/16/8/4 pixels (~16M multiply-adds).
     */
    public static Architecture resnet() {
        return new Architecture("resnet-fmnist", 64, 16, 2, List.of(16, 32, 64, 128), List.of(1, 1, 1, 1), 1, 1.0, 10);
    }

    /**
     * ResNeXt-style: same input and stem, bottleneck units 1x1 -> grouped 3x3 (8 groups) -> 1x1,
     * widths 16/32/64/128 with as many channels inside each unit (2 to 16 channels per group).
     */
    public static Architecture resnext() {
        return new Architecture("resnext-fmnist", 64, 16, 2, List.of(16, 32, 64, 128), List.of(1, 1, 1, 1), 8, 1.0, 10);
    }

    public static Architecture byName(String name) {
        return switch (name) {
            case "resnet-fmnist" -> resnet();
            case "resnext-fmnist" -> resnext();
            default -> throw InvalidInputException.unknown("model", name, null, NAMES);
        };
    }
}
