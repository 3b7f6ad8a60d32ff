package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tiermark.data.FashionMnist;
import org.tiermark.data.LabelledImages;

/** The committed ONNX models compute what the committed DJL parameters compute (the export is faithful). */
class TrainedModelsTest {
    private static final Path HOME = Path.of(System.getProperty("tiermark.home", ".")).toAbsolutePath().normalize();

    @BeforeAll
    static void threads() {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet-fmnist", "resnext-fmnist"})
    void committedOnnxEqualsDjlOnTheEvaluationImages(String name) throws Exception {
        Architecture a = Architecture.byName(name);
        Path dir = HOME.resolve("models/trained").resolve(name);
        FmnistInputs eval = FmnistInputs.of(LabelledImages.load(HOME.resolve("data/fashion-mnist/eval-100"),
                FashionMnist.CLASS_COUNT), a.inputSize());
        try (Model model = FashionMnistTrainer.load(a, dir)) {
            float[][] djl = FashionMnistTrainer.logits(model, eval, 50);
            float[][] ort = OnnxLogits.of(dir.resolve("model.onnx"), eval, 50, 1);
            double diff = OnnxLogits.maxAbsDiff(djl, ort);
            assertTrue(diff < 1e-4, name + ": max |DJL - ONNX| = " + diff);
        }
    }

    /** The whole 10k test split through ONNX Runtime: the accuracy the models' READMEs state. */
    @ParameterizedTest
    @ValueSource(strings = {"resnet-fmnist", "resnext-fmnist"})
    @EnabledIfSystemProperty(named = "tiermark.slow", matches = "true")
    void committedOnnxReachesItsTargetOnTheWholeTestSplit(String name) throws Exception {
        Architecture a = Architecture.byName(name);
        double target = name.equals("resnet-fmnist") ? 0.92 : 0.91;
        FmnistInputs test = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TEST), a.inputSize(), Integer.MAX_VALUE);
        float[][] ort = OnnxLogits.of(HOME.resolve("models/trained").resolve(name).resolve("model.onnx"), test, 500, 1);
        double accuracy = OnnxLogits.accuracy(ort, test);
        assertTrue(accuracy >= target, name + ": " + accuracy + " < " + target);
    }
}
