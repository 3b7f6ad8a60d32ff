package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.onnx.Shapes;
import org.tiermark.onnx.StageChain;
import org.tiermark.onnx.SyntheticModels;

/** Every black-box operator on the tiny synthetic ResNet, with real ONNX Runtime sessions. */
class TinyCnnOperatorsTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        model = tinyModel(dir);
    }

    /** The tiny synthetic ResNet (seed 3) written to {@code dir}. */
    static Path tinyModel(Path dir) throws Exception {
        Path f = dir.resolve("tiny.onnx");
        OnnxModels.save(SyntheticModels.tinyCnn(3), f);
        return f;
    }

    static VariantBuilder.Source source(int calibration) {
        return source(model, calibration);
    }

    /** The tiny CNN in {@code model} with random calibration and held-out images (fixed seeds). */
    static VariantBuilder.Source source(Path model, int calibration) {
        return new VariantBuilder.Source("tiny-cnn", model, InputSamples.randomImages(SyntheticModels.INPUT, 64, calibration, 11),
                InputSamples.randomImages(SyntheticModels.INPUT, 64, 8, 5000), Map.of("sptq.calibration.samples", "20"));
    }

    static Variant build(String operator, Map<String, String> overrides) throws Exception {
        return VariantBuilder.build(ENV, source(40), Operator.parse(operator), overrides, dir.resolve(operator));
    }

    static JsonNode manifest(Variant v) {
        return Json.read(v.manifest(), JsonNode.class);
    }

    @Test
    void sptqFusesIntoIntegerKernelsAndStaysClose() throws Exception {
        Variant v = build("sptq", Map.of());
        JsonNode m = manifest(v);
        assertTrue(m.path("fusedOps").path("model.onnx").path("com.microsoft:QLinearConv").asInt() > 0, m.path("fusedOps").toString());
        assertTrue(m.path("fusedOps").path("model.onnx").path("com.microsoft:QLinearAdd").asInt() > 0, m.path("fusedOps").toString());
        double cos = m.path("quality").path("meanCosine").asDouble();
        assertTrue(cos > 0.99, "cosine to the float model " + cos);
        assertTrue(Files.size(v.stages().get(0)) < Files.size(model) / 3, "int8 weights are about 4x smaller");
    }

    @Test
    void percentileCalibrationAlsoWorks() throws Exception {
        Variant v = build("sptq", Map.of("sptq.calibration.method", "percentile"));
        assertTrue(manifest(v).path("quality").path("meanCosine").asDouble() > 0.98);
        assertTrue(manifest(v).path("steps").path("sptq").path("calibration").asText().contains("percentile"));
    }

    @Test
    void partitionHeadPlusTailIsBitwiseTheModel() throws Exception {
        Variant v = build("partition", Map.of());
        assertEquals(2, v.stageCount());
        JsonNode m = manifest(v);
        assertEquals("stage3", m.path("link").path("tensor").asText(), "default cut: after the third stage");
        assertEquals(32L * 4 * 4 * 4, m.path("link").path("cutBytes").asLong());
        assertEquals(0.0, m.path("exactness").path("maxAbsDiff").asDouble());
        assertTrue(m.path("quality").path("maxAbsDiff").asDouble() < 1e-4, "as deployed (ALL_OPT): a few ulp at most");
        try (var o = Sessions.options(Sessions.Settings.oneThread());
             var unused = setBasic(o);
             OrtSession full = ENV.createSession(model.toString(), o);
             OrtSession head = ENV.createSession(v.stages().get(0).toString(), o);
             OrtSession tail = ENV.createSession(v.stages().get(1).toString(), o)) {
            InputSamples s = InputSamples.randomImages(SyntheticModels.INPUT, 64, 3, 77);
            for (int i = 0; i < s.size(); i++) {
                Map<String, OnnxTensor> in = s.get(ENV, i);
                float[] a = StageChain.run(List.of(full), in).get(SyntheticModels.OUTPUT);
                float[] b = StageChain.run(List.of(head, tail), in).get(SyntheticModels.OUTPUT);
                in.values().forEach(OnnxTensor::close);
                assertArrayEquals(a, b);
            }
        }
    }

    /** Same operators in the same order: bitwise equal (ALL_OPT may choose other kernels at the cut). */
    static AutoCloseable setBasic(OrtSession.SessionOptions o) throws Exception {
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
        return () -> { };
    }

    @Test
    void sptqPlusPartitionCarriesAQuarterOfTheBytes() throws Exception {
        long fp32 = manifest(build("partition", Map.of())).path("link").path("cutBytes").asLong();
        Variant v = build("sptq+partition", Map.of());
        JsonNode m = manifest(v);
        assertEquals("stage3_quantized", m.path("link").path("tensor").asText());
        assertEquals(fp32 / 4, m.path("link").path("cutBytes").asLong());
        assertEquals(fp32, 4 * m.path("link").path("cutBytes").asLong());
        assertTrue(m.path("quality").path("meanCosine").asDouble() > 0.99);
    }

    @Test
    void earlyExitSkipsTheLastBlock() throws Exception {
        Variant v = build("early-exit", Map.of());
        JsonNode m = manifest(v);
        assertEquals("stage4.block0", m.path("steps").path("early-exit").path("exit").asText());
        var small = new OnnxGraph(OnnxModels.load(v.stages().get(0)));
        var full = new OnnxGraph(OnnxModels.load(model));
        assertTrue(small.nodes().size() < full.nodes().size());
        assertEquals(full.outputs().keySet(), small.outputs().keySet());
        assertTrue(m.path("quality").path("meanCosine").asDouble() < 1.0, "a different, smaller model");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> build("early-exit", Map.of("early-exit.depth", "2")));
        assertTrue(e.getMessage().contains("valid: 1..1"), e.getMessage());
    }

    @Test
    void hybridsCompose() throws Exception {
        JsonNode m = manifest(build("sptq+early-exit", Map.of()));
        assertTrue(m.path("fusedOps").path("model.onnx").path("com.microsoft:QLinearConv").asInt() > 0);
        JsonNode p = manifest(build("early-exit+partition", Map.of()));
        assertEquals(2, p.path("stages").size());
    }

    @Test
    void listsCutsWithPayloads() throws Exception {
        OnnxGraph g = new OnnxGraph(OnnxModels.load(model));
        Map<String, OnnxTensor> in = InputSamples.randomImages(SyntheticModels.INPUT, 64, 1, 1).get(ENV, 0);
        Map<String, Shapes.Info> shapes = Shapes.probe(ENV, g, in);
        in.values().forEach(OnnxTensor::close);
        List<String> cuts = new ArrayList<>();
        Partition.cuts(g, shapes).forEach(c -> cuts.add(c.tensor()));
        assertTrue(cuts.containsAll(List.of("stage1", "stage2", "stage3", "stage4.block0", "stage4")), cuts.toString());
        // inside a residual block the skip connection also crosses: not a single-tensor cut
        assertTrue(cuts.stream().noneMatch(c -> c.startsWith("stage2.block0/conv1")), cuts.toString());
    }

    @Test
    void unknownCutListsTheNearestValidOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> build("partition", Map.of("partition.cut", "stage33")));
        assertTrue(e.getMessage().contains("nearest valid cuts: stage3"), e.getMessage());
        InvalidInputException inside = assertThrows(InvalidInputException.class,
                () -> build("partition", Map.of("partition.cut", "stage2.block0/conv2")));
        assertTrue(inside.getMessage().contains("skip connection"), inside.getMessage());
    }

    @Test
    void tooFewCalibrationSamplesIsAnError() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> build("sptq", Map.of("sptq.calibration.samples", "3")));
        assertTrue(e.getMessage().contains("sptq.calibration.samples"), e.getMessage());
        InvalidInputException fewer = assertThrows(InvalidInputException.class,
                () -> VariantBuilder.build(ENV, source(15), Operator.parse("sptq"), Map.of("sptq.calibration.samples", "20"),
                        dir.resolve("few")));
        assertTrue(fewer.getMessage().contains("only 15 available"), fewer.getMessage());
    }

    @Test
    void corruptOnnxFileIsAnErrorNamingIt() throws Exception {
        Path bad = dir.resolve("corrupt.onnx");
        byte[] good = Files.readAllBytes(model);
        Files.write(bad, java.util.Arrays.copyOf(good, good.length / 2));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxModels.load(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void senselessCompositionsAreRefusedWithAReason() {
        assertTrue(assertThrows(InvalidInputException.class, () -> Operator.parse("partition+sptq")).getMessage()
                .contains("sptq+partition"));
        assertTrue(assertThrows(InvalidInputException.class, () -> Operator.parse("sptq+sptq")).getMessage().contains("twice"));
        assertTrue(assertThrows(InvalidInputException.class, () -> Operator.parse("identity+sptq")).getMessage().contains("identity"));
        assertTrue(assertThrows(InvalidInputException.class, () -> Operator.parse("sptq+distill")).getMessage()
                .contains("training after quantization"));
        assertEquals(2, Operator.parse("sptq+partition").stageCount());
    }

    @Test
    void unknownParameterIsAnError() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> build("sptq", Map.of("sptq.bits", "4")));
        assertTrue(e.getMessage().contains("sptq.calibration.samples"), e.getMessage());
        // a key of another operator, given for sptq, is named with the keys sptq reads
        InvalidInputException other = assertThrows(InvalidInputException.class,
                () -> VariantBuilder.params(Operator.parse("sptq"), Map.of(), Map.of("partition.cut", "stage2")));
        assertTrue(other.getMessage().contains("'partition.cut' is not used by operator 'sptq'")
                && other.getMessage().contains("sptq.calibration.method"), other.getMessage());
        // in the model's defaults, keys of other operators (white-box ones too) are theirs
        Map<String, String> descriptor = Map.of("prune.sparsity", "0.9", "partition.cut", "stage2", "sptq.calibration.samples", "50");
        Map<String, String> p = VariantBuilder.params(Operator.parse("sptq"), descriptor, Map.of());
        assertEquals("50", p.get("sptq.calibration.samples"), "the descriptor's value overrides the step's default");
        assertEquals("minmax", p.get("sptq.calibration.method"), "the step's default where the descriptor says nothing");
        assertFalse(p.containsKey("prune.sparsity") || p.containsKey("partition.cut"), p.toString());
        InvalidInputException typo = assertThrows(InvalidInputException.class,
                () -> VariantBuilder.params(Operator.parse("sptq"), Map.of("sptq.calibraton.samples", "50"), Map.of()));
        assertTrue(typo.getMessage().contains("sptq.calibraton.samples"), typo.getMessage());
    }
}
