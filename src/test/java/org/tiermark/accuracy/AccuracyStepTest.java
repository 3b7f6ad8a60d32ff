package org.tiermark.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.operator.VariantManifest;
import org.tiermark.operator.VariantStore;

/**
 * The accuracy step on a tiny classifier built in code (4x4 grey image -> Flatten -> Gemm -> 3 logits:
 * the brightest row wins), as identity and as a hand-made two-stage partition.
 */
class AccuracyStepTest {
    static final Path PROJECT = Path.of(System.getProperty("tiermark.home", "."));
    /** True row of each image; the labels file says otherwise for the last two (so accuracy is 0.8). */
    static final int[] BRIGHT_ROW = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
    static final int[] LABELS = {0, 1, 2, 0, 1, 2, 0, 1, 0, 1};

    @TempDir
    Path home;

    @BeforeEach
    void suite() throws IOException {
        try (Stream<Path> s = Files.walk(PROJECT.resolve("profiles"))) {
            for (Path p : s.toList()) {
                Path to = home.resolve(PROJECT.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Files.createDirectories(home.resolve("models"));
        Files.write(home.resolve("models/tiny.onnx"), model(true, true).toByteArray());
        Path eval = home.resolve("data/tiny/eval");
        Files.createDirectories(eval);
        StringBuilder csv = new StringBuilder("file,label\n");
        for (int i = 0; i < BRIGHT_ROW.length; i++) {
            BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
            for (int x = 0; x < 4; x++) {
                img.getRaster().setSample(x, BRIGHT_ROW[i], 0, 255);
            }
            ImageIO.write(img, "png", eval.resolve(i + ".png").toFile());
            csv.append(i).append(".png,").append(LABELS[i]).append('\n');
        }
        Files.writeString(eval.resolve("labels.csv"), csv);
        descriptor("x", "../data/tiny/eval");
    }

    private void descriptor(String tensor, String evalSet) throws IOException {
        Files.writeString(home.resolve("models/tiny.json"), """
                {"name": "tiny", "task": "image-classification", "onnx": "tiny.onnx",
                 "input": {"kind": "image", "width": 4, "height": 4, "channels": 1, "mean": [0], "std": [1], "tensor": "%s"},
                 "pool": "../data/tiny/eval", "data": "made by AccuracyStepTest",
                 "evaluation": {"kind": "classification", "small": "%s", "classes": ["a", "b", "c"]}}
                """.formatted(tensor, evalSet));
    }

    /** The classifier, or one of its two stages (flatten / gemm) for the partition variant. */
    static OnnxMl.ModelProto model(boolean flatten, boolean gemm) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("tiny");
        if (flatten) {
            g.addInput(value("x", 1, 1, 4, 4));
            g.addNode(NodeProto.newBuilder().setOpType("Flatten").addInput("x").addOutput("flat")
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)));
        } else {
            g.addInput(value("flat", 1, 16));
        }
        if (gemm) {
            float[] w = new float[3 * 16];
            for (int c = 0; c < 3; c++) {
                for (int x = 0; x < 4; x++) {
                    w[c * 16 + c * 4 + x] = 1;
                }
            }
            g.addInitializer(floats("w", w, 3, 16));
            g.addInitializer(floats("b", new float[] {0, 0, 0}, 3));
            g.addNode(NodeProto.newBuilder().setOpType("Gemm").addInput("flat").addInput("w").addInput("b").addOutput("logits")
                    .addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)));
            g.addOutput(value("logits", 1, 3));
        } else {
            g.addOutput(value("flat", 1, 16));
        }
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
    }

    private static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    private static TensorProto floats(String name, float[] v, long... dims) {
        return org.tiermark.onnx.Tensors.floats(name, v, dims);
    }

    private void partitionVariant() throws IOException {
        Path dir = home.resolve("models/variants/tiny/partition");
        Files.createDirectories(dir);
        Files.write(dir.resolve("stage0.onnx"), model(true, false).toByteArray());
        Files.write(dir.resolve("stage1.onnx"), model(false, true).toByteArray());
        VariantManifest.describing("tiny", "partition", dir, List.of("stage0.onnx", "stage1.onnx"))
                .write(dir.resolve(VariantStore.MANIFEST));
    }

    @Test
    void theReportNamesWhichModelsWereScoredOnWhichSet() {
        assertEquals("large", AccuracyStep.describe(Map.of("large", List.of("a", "b"))));
        assertEquals("large for a, b; small for c",
                AccuracyStep.describe(new TreeMap<>(Map.of("small", List.of("c"), "large", List.of("a", "b")))));
    }

    @Test
    void anUnknownSetForAModelIsRefusedBeforeAnythingRuns() {
        Path run = home.resolve("results/run2");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AccuracyStep.run(Suite.load(home),
                List.<String[]>of(new String[] {"tiny", "sptq"}), model -> "medium", run));
        assertTrue(e.getMessage().contains("'medium' for tiny"), e.getMessage());
        assertFalse(Files.exists(run.resolve(AccuracyStep.FILE)));
    }

    @Test
    void scoresEveryVariantAndRecordsTheOneThatFails() throws IOException {
        partitionVariant();
        Path run = home.resolve("results/run1");
        AccuracyReport r = AccuracyStep.run(Suite.load(home),
                List.of(new String[] {"tiny", "partition"}, new String[] {"tiny", "sptq"}), "small", run);
        JsonNode json = Json.read(run.resolve(AccuracyStep.FILE), JsonNode.class);
        assertEquals("tiermark-accuracy/1", json.get("schema").asText());
        assertEquals("small", json.get("evaluationSet").asText());
        assertEquals(2, json.get("entries").size(), "identity (the reference) and partition");
        JsonNode identity = json.get("entries").get(0);
        assertEquals("identity", identity.get("operator").asText());
        assertEquals("top1", identity.get("metric").asText());
        assertEquals(0.8, identity.get("value").asDouble(), 1e-12);
        assertEquals(10, identity.get("samples").asInt());
        assertEquals("[1,1,1,1,1,1,1,1,0,0]", identity.get("perSample").toString());
        assertEquals(2, identity.get("ci95").size());
        assertTrue(identity.get("ci95").get(0).asDouble() <= 0.8 && identity.get("ci95").get(1).asDouble() >= 0.8);
        JsonNode partition = json.get("entries").get(1);
        assertEquals("partition", partition.get("operator").asText());
        assertEquals("edge-cloud", partition.get("deployment").asText(), "two stages run on a two-stage deployment");
        assertEquals(0.0, partition.get("deltaVsIdentity").asDouble(), 1e-12);
        assertEquals(1.0, partition.get("agreementWithIdentity").asDouble(), 1e-12);
        assertEquals(identity.get("perSample"), partition.get("perSample"));
        assertEquals(1, r.errors().size());
        assertEquals("sptq", json.get("errors").get(0).get("operator").asText());
        assertTrue(json.get("errors").get(0).get("message").asText().contains("not built"));
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(List.of(run.resolve(AccuracyStep.FILE)), s.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void labelsOutsideTheClassRangeFailBeforeAnyRun() throws IOException {
        Path csv = home.resolve("data/tiny/eval/labels.csv");
        Files.writeString(csv, Files.readString(csv).replace("9.png,1", "9.png,3"));
        Path run = home.resolve("results/run2");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AccuracyStep.run(Suite.load(home),
                List.<String[]>of(new String[] {"tiny", "identity"}), "small", run));
        assertTrue(e.getMessage().contains("labels.csv") && e.getMessage().contains("label 3")
                && e.getMessage().contains("0..2"), e.getMessage());
        assertFalse(Files.exists(run.resolve(AccuracyStep.FILE)));
    }

    @Test
    void aMissingEvaluationSetNamesThePathAndWhatProvidesIt() throws IOException {
        descriptor("x", "../data/tiny/nowhere");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AccuracyStep.run(Suite.load(home),
                List.<String[]>of(new String[] {"tiny", "identity"}), "small", home.resolve("results/run3")));
        assertTrue(e.getMessage().contains("data/tiny/nowhere") && e.getMessage().contains("made by AccuracyStepTest")
                && e.getMessage().contains("evaluation.small"), e.getMessage());
        assertFalse(Files.exists(home.resolve("results/run3")));
    }

    @Test
    void aModelWhoseInputDoesNotMatchItsDescriptorFailsBeforeAnyRun() throws IOException {
        descriptor("image", "../data/tiny/eval");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AccuracyStep.run(Suite.load(home),
                List.<String[]>of(new String[] {"tiny", "identity"}), "small", home.resolve("results/run4")));
        assertTrue(e.getMessage().contains("input.tensor") && e.getMessage().contains("'image'")
                && e.getMessage().contains("[x]"), e.getMessage());
        assertFalse(Files.exists(home.resolve("results/run4")));
    }

    @Test
    void aDescriptorPointingAtAMissingFileFailsNamingIt() throws IOException {
        Files.delete(home.resolve("models/tiny.onnx"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AccuracyStep.run(Suite.load(home),
                List.<String[]>of(new String[] {"tiny", "identity"}), "small", home.resolve("results/run5")));
        assertTrue(e.getMessage().contains("tiny.json") && e.getMessage().contains("'onnx'"), e.getMessage());
        assertNotNull(e.getMessage());
    }
}
