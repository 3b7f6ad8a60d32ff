package org.tiermark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.data.FashionMnist;
import org.tiermark.data.LabelledImages;
import org.tiermark.data.Preprocessor;
import org.tiermark.Preprocessors;
import org.tiermark.onnx.GraphBuilder;
import org.tiermark.train.FashionMnistTrainer;

/** The committed Fashion-MNIST classifiers load from the catalog and reach their accuracy targets; bad descriptors fail early. */
class VisionModelsTest {
    private static final Path HOME = Path.of(System.getProperty("tiermark.home", ".")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /**
     * Top-1 accuracy through the runtime's own path (PNG decode, bilinear resize, ONNX Runtime with all
     * optimizations), on the 1000-image evaluation set; the 100-image set is reported alongside.
     */
    @ParameterizedTest
    @CsvSource({"resnet-fmnist, 0.92", "resnext-fmnist, 0.91"})
    void committedModelReachesItsTarget(String name, double target) throws Exception {
        Catalog catalog = Catalog.load(HOME.resolve("models"));
        Catalog.Model model = catalog.model(name);
        ModelDescriptor.EvaluationSpec eval = model.descriptor().evaluation();
        assertEquals(FashionMnist.CLASSES, eval.classes());
        double large = accuracy(model, LabelledImages.load(model.resolve(eval.large()), eval.classes().size()));
        double small = accuracy(model, LabelledImages.load(model.resolve(eval.small()), eval.classes().size()));
        System.out.printf("%s: eval-1000 %.3f, eval-100 %.3f%n", name, large, small);
        assertTrue(large >= target, name + " on eval-1000: " + large + " < " + target);
        assertTrue(small >= target, name + " on eval-100: " + small + " < " + target);
    }

    private static double accuracy(Catalog.Model model, LabelledImages set) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int correct = 0;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model.onnx().toString(), o);
                 Preprocessor pre = Preprocessors.create(model, env)) {
                for (LabelledImages.Item item : set.items()) {
                    Map<String, OnnxTensor> in = pre.prepare(item.encoded());
                    try (OrtSession.Result r = session.run(in)) {
                        float[][] logits = (float[][]) r.get(0).getValue();
                        correct += FashionMnistTrainer.argmax(logits[0]) == item.label() ? 1 : 0;
                    } finally {
                        in.values().forEach(OnnxTensor::close);
                    }
                }
            }
        }
        return correct / (double) set.size();
    }

    /** The models run through the suite's own deployment runner on their committed pool. */
    @ParameterizedTest
    @CsvSource({"resnet-fmnist", "resnext-fmnist"})
    void runsEndToEndOnItsPool(String name) throws Exception {
        org.tiermark.Suite suite = org.tiermark.Suite.load(HOME);
        org.tiermark.data.InputPool pool = suite.pool(name, 4);
        try (var runner = suite.runner(name, "identity", "edge", org.tiermark.runtime.LinkDelayModel.OFF)) {
            for (int i = 0; i < pool.size(); i++) {
                var answer = runner.run(pool.get(i));
                assertEquals(1, answer.tensors().size());
                assertEquals(java.util.List.of(1L, 10L), java.util.Arrays.stream(answer.tensors().get(0).shape()).boxed().toList());
            }
        }
    }

    /**
     * Two units in layer4 are what makes early exit possible: the exit is the first unit's output, and
     * the hybrid with sptq quantizes what remains.
     */
    @ParameterizedTest
    @CsvSource({"resnet-fmnist", "resnext-fmnist"})
    void earlyExitSkipsTheLastUnitOfLayer4(String name) throws Exception {
        Catalog catalog = Catalog.load(HOME.resolve("models"));
        org.tiermark.operator.VariantStore store = new org.tiermark.operator.VariantStore(catalog, dir.resolve("variants"));
        var exit = org.tiermark.Json.read(store.ensure(name, "early-exit").manifest(),
                com.fasterxml.jackson.databind.JsonNode.class);
        assertEquals("layer4_0", exit.path("steps").path("early-exit").path("exit").asText(), exit.toString());
        assertEquals("layer4", exit.path("steps").path("early-exit").path("skippedTo").asText());
        var hybrid = org.tiermark.Json.read(store.ensure(name, "sptq+early-exit").manifest(),
                com.fasterxml.jackson.databind.JsonNode.class);
        assertTrue(hybrid.path("fusedOps").path("model.onnx").path("com.microsoft:QLinearConv").asInt() > 0, hybrid.toString());
    }

    @Test
    void missingOnnxFileNamesTheField() throws IOException {
        descriptor("gone.onnx", 64, "image");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Catalog.load(dir).model("probe"));
        assertTrue(e.getMessage().contains("field 'onnx'") && e.getMessage().contains("gone.onnx"), e.getMessage());
    }

    @Test
    void modelWhoseInputDoesNotMatchItsDescriptorFailsBeforeAnyRun() throws IOException {
        Files.write(dir.resolve("probe.onnx"), new GraphBuilder("probe")
                .inputFloat("image", -1, 1, 64, 64).build().toBuilder()
                .setGraph(withPool()).build().toByteArray());
        descriptor("probe.onnx", 32, "image");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Catalog.load(dir).model("probe"));
        assertTrue(e.getMessage().contains("field 'input.width'") && e.getMessage().contains("64"), e.getMessage());

        descriptor("probe.onnx", 64, "pixels");
        e = assertThrows(InvalidInputException.class, () -> Catalog.load(dir).model("probe"));
        assertTrue(e.getMessage().contains("field 'input.tensor'") && e.getMessage().contains("its inputs: [image]"), e.getMessage());

        descriptor("probe.onnx", 64, "image");
        assertEquals("probe", Catalog.load(dir).model("probe").name());
    }

    private static ai.onnx.proto.OnnxMl.GraphProto withPool() {
        GraphBuilder g = new GraphBuilder("probe").inputFloat("image", -1, 1, 64, 64);
        g.globalAveragePool("image", "out");
        g.outputFloat("out");
        return g.graph();
    }

    private void descriptor(String onnx, int width, String tensor) throws IOException {
        Files.createDirectories(dir.resolve("pool"));
        Files.createDirectories(dir.resolve("eval"));
        Files.writeString(dir.resolve("probe.json"), """
                {"name": "probe", "task": "image-classification", "onnx": "%s",
                 "input": {"kind": "image", "width": %d, "height": 64, "channels": 1, "mean": [0.5], "std": [0.5],
                           "tensor": "%s"},
                 "pool": "pool", "evaluation": {"kind": "classification", "small": "eval"}}
                """.formatted(onnx, width, tensor));
    }
}
