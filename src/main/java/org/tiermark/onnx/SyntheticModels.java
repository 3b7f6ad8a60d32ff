package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.SplittableRandom;

/**
 * ResNet-style CNNs with random (seeded, He-initialised) weights and batch norm already folded
 * into the convolutions, as an exporter would leave them. Tensor names are stable: the output of
 * stage {@code s} is {@code stage<s>} (so "after the third stage" is the tensor {@code stage3}),
 * earlier blocks of a stage end in {@code stage<s>.block<b>}; the input is {@code input}
 * [1, 3, size, size] and the output {@code logits} [1, classes].
 */
public final class SyntheticModels {
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";

    private SyntheticModels() {}

    /** ResNet-18 at 224x224 with 1000 classes: 11.7 M parameters, ~1.8 GFLOPs. */
    public static OnnxMl.ModelProto resnet18(long seed) {
        return resnet("resnet18-synthetic", new int[] {64, 128, 256, 512}, new int[] {2, 2, 2, 2}, 224, 1000, seed);
    }

    /** The same architecture, tiny (8..64 channels, 64x64 input, 10 classes): for fast tests. */
    public static OnnxMl.ModelProto tinyCnn(long seed) {
        return resnet("tiny-cnn", new int[] {8, 16, 32, 64}, new int[] {1, 1, 1, 2}, 64, 10, seed);
    }

    /**
     * A ResNet with basic blocks: 7x7/2 stem, 3x3/2 max pool, one stage per entry of
     * {@code channels} (the first stride 1, the others 2), global average pool, linear classifier.
     */
    public static OnnxMl.ModelProto resnet(String name, int[] channels, int[] blocks, int size, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        GraphBuilder g = new GraphBuilder(name);
        g.inputFloat(INPUT, 1, 3, size, size);
        String x = conv(g, random, "stem", INPUT, 3, channels[0], 7, 2);
        x = g.relu(x, "stem/relu");
        x = g.maxPool(x, "stem/pool", 3, 2, 1);
        int in = channels[0];
        for (int s = 0; s < channels.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                String prefix = "stage" + (s + 1) + ".block" + b;
                int stride = (b == 0 && s > 0) ? 2 : 1;
                String out = b == blocks[s] - 1 ? "stage" + (s + 1) : prefix;
                x = basicBlock(g, random, prefix, x, in, channels[s], stride, out);
                in = channels[s];
            }
        }
        x = g.globalAveragePool(x, "head/pool");
        x = g.flatten(x, "head/flatten");
        String w = g.initializer("head/fc.weight", he(random, classes * in, in), classes, in);
        String bias = g.initializer("head/fc.bias", uniform(random, classes, 0.1f), classes);
        g.gemm(x, w, bias, OUTPUT);
        g.outputFloat(OUTPUT, 1, classes);
        return g.build();
    }

    private static String basicBlock(GraphBuilder g, SplittableRandom r, String prefix, String x, int in, int out,
                                     int stride, String outName) {
        String y = conv(g, r, prefix + "/conv1", x, in, out, 3, stride);
        y = g.relu(y, prefix + "/relu1");
        // the second conv is scaled down so that random residual sums stay bounded through 8 blocks
        y = conv(g, r, prefix + "/conv2", y, out, out, 3, 1, 0.5f);
        String skip = x;
        if (stride != 1 || in != out) {
            skip = conv(g, r, prefix + "/downsample", x, in, out, 1, stride);
        }
        String sum = g.add(y, skip, prefix + "/add");
        return g.relu(sum, outName);
    }

    private static String conv(GraphBuilder g, SplittableRandom r, String name, String x, int in, int out, int k,
                               int stride) {
        return conv(g, r, name, x, in, out, k, stride, 1f);
    }

    private static String conv(GraphBuilder g, SplittableRandom r, String name, String x, int in, int out, int k,
                               int stride, float gain) {
        int fanIn = in * k * k;
        float[] w = he(r, out * fanIn, fanIn);
        for (int i = 0; i < w.length; i++) {
            w[i] *= gain;
        }
        String weight = g.initializer(name + ".weight", w, out, in, k, k);
        String bias = g.initializer(name + ".bias", uniform(r, out, 0.1f), out);
        return g.conv(x, weight, bias, name, k, stride);
    }

    private static float[] he(SplittableRandom r, int n, int fanIn) {
        double std = Math.sqrt(2.0 / fanIn);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (gaussian(r) * std);
        }
        return v;
    }

    private static float[] uniform(SplittableRandom r, int n, float limit) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * limit);
        }
        return v;
    }

    public static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Seeded standard-normal images [1, 3, size, size] for calibration and checks of synthetic models. */
    public static float[] randomImage(long seed, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[3 * size * size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) gaussian(r);
        }
        return v;
    }
}
