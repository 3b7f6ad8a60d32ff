package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantization-aware training: sptq's formulas, at sptq's tensors, exported through sptq's rewrite. */
class QatTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void threads() {
        Tiny.oneThread();
    }

    /** Per-channel symmetric int8 as sptq computes it, checked by hand; the gradient passes straight through. */
    @Test
    void weightFakeQuantIsSptqsFormulaWithStraightThroughGradient() {
        float[] w = {0.5f, -0.25f, 0.1f, 1.27f, 0f, -0.6f, 0f, 0f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(w, new Shape(4, 2));
            a.setRequiresGradient(true);
            float[] got;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray q = FakeQuant.weightPerChannel(a);
                got = q.toFloatArray();
                gc.backward(q.mul(m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(4, 2))).sum());
            }
            for (int c = 0; c < 4; c++) {
                float max = Math.max(Math.abs(w[2 * c]), Math.abs(w[2 * c + 1]));
                float scale = max > 0 ? max / 127f : 1f;
                for (int k = 0; k < 2; k++) {
                    float expected = Math.max(-127, Math.min(127, Math.round(w[2 * c + k] / scale))) * scale;
                    assertEquals(expected, got[2 * c + k], 1e-7, "channel " + c);
                }
            }
            assertEquals(List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f), boxed(a.getGradient().toFloatArray()));
        }
    }

    @Test
    void activationFakeQuantRoundsToTheUint8Grid() {
        try (NDManager m = NDManager.newBaseManager()) {
            // range [-1, 3]: scale 4/255, zero point round(255/4) = 64
            float[] got = FakeQuant.activation(m.create(new float[] {-2f, 0f, 0.01f, 2.99f, 5f}), -1f, 3f).toFloatArray();
            float scale = 4f / 255f;
            float[] expected = {-64 * scale, 0f, Math.round(0.01f / scale) * scale, Math.round(2.99f / scale) * scale,
                    (255 - 64) * scale};
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected[i], got[i], 1e-6, "value " + i);
            }
        }
    }

    /** The QAT network fake-quantizes exactly the activations sptq's plan gives a range, by name. */
    @Test
    void observedTensorsAreSptqsRangeTensors() {
        for (Architecture a : List.of(Tiny.resnet(), Tiny.resnext())) {
            try (Model model = FashionMnistTrainer.newModel(a)) {
                Network net = (Network) model.getBlock();
                net.initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
                QatNetwork qat = new QatNetwork(net);
                try (NDManager m = model.getNDManager().newSubManager()) {
                    float[] x = new float[2 * a.inputSize() * a.inputSize()];
                    qat.forward(new ParameterStore(model.getNDManager(), false),
                            new NDList(m.create(x, net.inputShape(2))), false);
                }
                assertEquals(Qat.needed(net), qat.ranges().keySet(), a.name());
            }
        }
    }

    /** A short real run: the QDQ export runs integer kernels and agrees with the fake-quantized network. */
    @Test
    void qatExportsThroughSptqAndAgreesWithFakeQuantization() throws Exception {
        Architecture a = Tiny.resnet();
        Path source = dir.resolve("source");
        Tiny.saveRandom(a, source);
        var p = new Qat.Params(Tiny.options(3, 5e-3f));
        TrainedVariant<Qat.Params> v = Qat.qat(a, source, Tiny.squares(256, 12, 1), Tiny.squares(200, 12, 2), p,
                dir.resolve("out"), e -> { });
        Qat.Details d = (Qat.Details) v.details();
        assertTrue(d.fusedKernels().keySet().stream().anyMatch(k -> k.contains("QLinearConv")), d.fusedKernels().toString());
        assertTrue(v.testAccuracyOnnx() > 0.3, "accuracy " + v.testAccuracyOnnx());
        // integer kernels round intermediate sums differently from float fake quantization: a few images may flip
        assertEquals(v.testAccuracyDjl(), v.testAccuracyOnnx(), 0.03);
        // training starts from sptq's model: its calibrated ranges, the same predictions but for rounding
        assertEquals(d.sptqAccuracy(), d.startAccuracy(), 0.03);
        assertTrue(d.startPredictionsDifferingFromSptq() <= 6, "start differs from sptq on "
                + d.startPredictionsDifferingFromSptq() + " of 200 images");
    }

    private static List<Float> boxed(float[] v) {
        List<Float> out = new ArrayList<>();
        for (float f : v) {
            out.add(f);
        }
        return out;
    }
}
