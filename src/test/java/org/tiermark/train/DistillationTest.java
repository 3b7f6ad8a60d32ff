package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxModels;

/** Knowledge distillation: the loss as written down, the student's shape, the refusals, a short real run. */
class DistillationTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void threads() {
        Tiny.oneThread();
    }

    /** The loss against the formula computed in double by hand, for two rows and three classes. */
    @Test
    void lossIsAlphaTSquaredKlPlusCrossEntropy() {
        float[][] s = {{1f, 2f, 0.5f}, {-1f, 0f, 3f}};
        float[][] t = {{2f, 1f, 0f}, {0f, 0.5f, 2f}};
        int[] y = {1, 2};
        double temperature = 2;
        double alpha = 0.3;
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            double[] ps = softmax(s[i], temperature);
            double[] pt = softmax(t[i], temperature);
            double kl = 0;
            for (int c = 0; c < 3; c++) {
                kl += pt[c] * Math.log(pt[c] / ps[c]);
            }
            double ce = -Math.log(softmax(s[i], 1)[y[i]]);
            expected += (alpha * temperature * temperature * kl + (1 - alpha) * ce) / 2;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sa = m.create(new float[] {1f, 2f, 0.5f, -1f, 0f, 3f}, new Shape(2, 3));
            NDArray ta = m.create(new float[] {2f, 1f, 0f, 0f, 0.5f, 2f}, new Shape(2, 3));
            NDArray ya = m.create(new float[] {1, 2});
            float got = new DistillationLoss((float) temperature, (float) alpha)
                    .evaluate(new NDList(ya, ta), new NDList(sa)).getFloat();
            assertEquals(expected, got, 1e-5);
        }
    }

    private static double[] softmax(float[] v, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x / temperature);
        }
        double sum = 0;
        double[] e = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            e[i] = Math.exp(v[i] / temperature - max);
            sum += e[i];
        }
        for (int i = 0; i < v.length; i++) {
            e[i] /= sum;
        }
        return e;
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        assertTrue(assertThrows(InvalidInputException.class, () -> new DistillationLoss(0f, 0.5f))
                .getMessage().contains("distill.temperature"));
        assertTrue(assertThrows(InvalidInputException.class, () -> new DistillationLoss(4f, 1.5f))
                .getMessage().contains("distill.alpha"));
        FashionMnistTrainer.Options o = Tiny.options(1, 1e-3f);
        assertThrows(InvalidInputException.class, () -> new Distillation.Params(0.5, -1f, 0.5f, o, 1));
        assertThrows(InvalidInputException.class, () -> new Distillation.Params(1.0, 4f, 0.5f, o, 1));
        // 0.8 of the widths is ~0.64x the multiply-adds: not a 2x cheaper student
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Distillation.student(Architecture.resnet(), 0.8));
        assertTrue(e.getMessage().contains("at least 2x cheaper"), e.getMessage());
    }

    /** The default student of both models: 2x cheaper at least, same stages and units, so the same cut names. */
    @Test
    void studentKeepsTheTeachersStagesAndTensorNames() {
        for (Architecture teacher : List.of(Architecture.resnet(), Architecture.resnext())) {
            Architecture s = Distillation.student(teacher, Distillation.Params.defaults().widthRatio());
            assertTrue(2 * s.cost().multiplyAdds() <= teacher.cost().multiplyAdds(), s.toString());
            assertEquals(teacher.blocks(), s.blocks());
            assertEquals(teacher.cardinality(), s.cardinality());
            assertEquals(Set.of(), missingTensors(teacher, s));
        }
    }

    /** Tensors of the teacher's export (not initializers) that the student's export lacks. */
    private Set<String> missingTensors(Architecture teacher, Architecture student) {
        Set<String> missing = new HashSet<>(outputs(teacher));
        missing.removeAll(outputs(student));
        return missing;
    }

    private static List<String> outputs(Architecture a) {
        try (var model = FashionMnistTrainer.newModel(a)) {
            Network net = (Network) model.getBlock();
            net.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, net.inputShape(1));
            List<String> names = new ArrayList<>();
            for (OnnxMl.NodeProto n : OnnxExporter.export(net).getGraph().getNodeList()) {
                names.addAll(n.getOutputList());
            }
            return names;
        }
    }

    /** A few real steps on learnable data: the student learns, its export agrees with DJL, the record is complete. */
    @Test
    void distillTrainsAndExportsAStudent() throws Exception {
        Architecture teacher = Tiny.resnet();
        Path t = dir.resolve("teacher");
        Tiny.saveRandom(teacher, t);
        FmnistInputs train = Tiny.squares(256, 12, 1);
        FmnistInputs test = Tiny.squares(100, 12, 2);
        // alpha 0.5: the random teacher's soft targets are noise, the labels must still teach
        var p = new Distillation.Params(0.5, 2f, 0.5f, Tiny.options(3, 5e-3f), 1);
        Path out = dir.resolve("out");
        TrainedVariant<Distillation.Params> v = Distillation.distill(teacher, t.resolve("model.onnx"), train, test, p,
                out, e -> { });
        assertEquals(3, v.epochs().size());
        assertTrue(v.testAccuracyOnnx() > 0.3, "accuracy " + v.testAccuracyOnnx());
        assertTrue(v.maxAbsLogitDiff() < 1e-4);
        assertTrue(Files.isRegularFile(v.onnx()) && Files.isRegularFile(v.checkpoint()));
        assertEquals(OnnxModels.sha256(t.resolve("model.onnx")), v.sourceSha256());
        assertEquals(train.sha256(), v.trainDataSha256());
        assertTrue(v.cost().multiplyAdds() * 2 <= v.sourceCost().multiplyAdds());
        assertFalse(v.epochs().stream().anyMatch(e -> !Double.isFinite(e.trainLoss())));
    }
}
