package org.tiermark.train;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Small networks and data for the white-box operator tests: seconds of training, never minutes. */
final class Tiny {
    private Tiny() {}

    static void oneThread() {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** 12x12 input, widths 8..16 (16 in the grouped units so that 4 groups split evenly at half width). */
    static Architecture resnet() {
        return new Architecture("resnet-fmnist", 12, 8, 1, List.of(8, 8, 16, 16), List.of(1, 1, 2, 2), 1, 1.0, 10);
    }

    static Architecture resnext() {
        return new Architecture("resnext-fmnist", 12, 8, 1, List.of(16, 16, 16, 16), List.of(1, 1, 2, 2), 4, 1.0, 10);
    }

    /**
     * Images whose label decides where a bright square sits (class c: a 4x4 patch at a fixed place), plus
     * noise: learnable in a few steps, so that "training helped" can be asserted.
     */
    static FmnistInputs squares(int n, int side, long seed) {
        Random r = new Random(seed);
        float[] pixels = new float[n * side * side];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(10);
            labels[i] = c;
            int ox = (c % 5) * (side - 4) / 4;
            int oy = (c / 5) * (side - 4);
            for (int k = 0; k < side * side; k++) {
                pixels[i * side * side + k] = (float) (r.nextGaussian() * 0.3);
            }
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    pixels[i * side * side + (oy + y) * side + ox + x] += 2f;
                }
            }
        }
        return FmnistInputs.of(pixels, labels, side);
    }

    /** A freshly initialized model of {@code a}, its parameters saved in {@code dir} and exported to {@code dir/model.onnx}. */
    static void saveRandom(Architecture a, Path dir) throws IOException {
        try (Model model = FashionMnistTrainer.newModel(a)) {
            Network net = (Network) model.getBlock();
            net.initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
            FashionMnistTrainer.save(model, dir);
            OnnxExporter.write(net, dir.resolve("model.onnx"));
        }
    }

    static FashionMnistTrainer.Options options(int epochs, float lr) {
        return new FashionMnistTrainer.Options(epochs, 32, lr, 0f, 7, Integer.MAX_VALUE, 0, false);
    }
}
