package org.tiermark.train.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.data.SpamCorpus;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;

/**
 * The DJL BERT classifier against ONNX Runtime on the real minilm-spam model and four real e-mails of
 * the evaluation set plus a short one (mostly padding): loaded as is, and exported after the student and channel-pruning surgeries with
 * changed weights. Needs the composed model from the build (tag {@code minilm}; skipped, saying so,
 * without it).
 */
@Tag("minilm")
class BertClassifierTest {
    static final OrtEnvironment ENV = Sessions.environment();
    static OnnxMl.ModelProto source;
    static BertWeights weights;
    static TokenizedTexts texts;

    @BeforeAll
    static void load() {
        TextTraining.threads(1);
        Suite suite = Suite.fromSystemProperty();
        Catalog.Model m = suite.catalog().model("minilm-spam");
        Assumptions.assumeTrue(Files.isRegularFile(m.onnx()), "needs minilm-spam composed by the build (models/base)");
        source = OnnxModels.load(m.onnx());
        weights = BertWeights.read(source);
        List<SpamCorpus.Sample> samples = new ArrayList<>(
                SpamCorpus.readJsonl(m.resolve(m.descriptor().evaluation().small())).subList(0, 4));
        // a short one: most of its sequence is padding, which the pooling must leave out
        samples.add(new SpamCorpus.Sample("Re: lunch tomorrow? Sounds good, see you at noon.", 0));
        texts = TokenizedTexts.of(samples, m.tokenizer(), m.descriptor().input().sequenceLength());
    }

    @Test
    void readsMiniLmShape() {
        BertConfig c = weights.config();
        assertEquals(6, c.layers());
        assertEquals(384, c.hidden());
        assertEquals(12, c.heads());
        assertEquals(1536, c.ffn());
        assertEquals(2, c.classes());
        assertEquals(1e-12f, c.eps(), 1e-15);
    }

    @Test
    void logitsEqualOnnxRuntimes() throws Exception {
        float[] ort = OrtLogits.of(ENV, source, texts, texts.size(), 1);
        try (NDManager m = NDManager.newBaseManager()) {
            BertClassifier c = BertClassifier.of(weights, m);
            float[] djl = c.logits(m, texts.ids(), texts.mask(), texts.types(), texts.size(), texts.sequence());
            assertTrue(OrtLogits.maxAbsDiff(djl, ort) < 1e-4, "max |DJL - ORT| " + OrtLogits.maxAbsDiff(djl, ort));
        }
    }

    @Test
    void exportOfAThreeLayerStudentEqualsDjl() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            BertClassifier student = Students.fromLayers(weights, new int[] {0, 2, 4}, m);
            // weights of its own, so that an export that kept the teacher's would fail
            float[] b = student.get("1.intermediate.bias");
            for (int i = 0; i < b.length; i++) {
                b[i] += 0.05f * (i % 7 - 3);
            }
            student.set("1.intermediate.bias", b, m);
            OnnxMl.ModelProto exported = BertExport.export(ENV, source, weights, student);
            OnnxGraph g = new OnnxGraph(exported);
            assertTrue(g.hasTensor("/embeddings/LayerNorm/Add_1_output_0"), "partition's cut survives");
            assertTrue(g.nodes().stream().noneMatch(n -> n.getName().startsWith("/encoder/layer.3/")), () -> "layers 3..5 are cut: "
                    + g.nodes().stream().filter(n -> n.getName().startsWith("/encoder/layer.3/")).map(n -> n.getName()).toList());
            assertEquals(3, BertWeights.read(exported).config().layers());
            float[] djl = student.logits(m, texts.ids(), texts.mask(), texts.types(), texts.size(), texts.sequence());
            float[] ort = OrtLogits.of(ENV, exported, texts, texts.size(), 1);
            assertTrue(OrtLogits.maxAbsDiff(djl, ort) < 1e-4, "max |DJL - ORT| " + OrtLogits.maxAbsDiff(djl, ort));
            float[] teacher = OrtLogits.of(ENV, source, texts, texts.size(), 1);
            assertTrue(OrtLogits.maxAbsDiff(teacher, ort) > 1e-3, "the student is not the teacher");
        }
    }

    @Test
    void exportOfHalfWidthFeedForwardEqualsDjl() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Students.Narrowed n = Students.narrowFeedForward(weights, 0.5, m);
            assertEquals(768, n.classifier().config().ffn());
            OnnxMl.ModelProto exported = BertExport.export(ENV, source, weights, n.classifier());
            BertWeights back = BertWeights.read(exported);
            assertEquals(768, back.config().ffn());
            assertEquals(6, back.config().layers());
            float[] djl = n.classifier().logits(m, texts.ids(), texts.mask(), texts.types(), texts.size(), texts.sequence());
            float[] ort = OrtLogits.of(ENV, exported, texts, texts.size(), 1);
            assertTrue(OrtLogits.maxAbsDiff(djl, ort) < 1e-4, "max |DJL - ORT| " + OrtLogits.maxAbsDiff(djl, ort));
        }
    }

    @Test
    void refusesStudentsNotSmallerThanTheTeacher() {
        try (NDManager m = NDManager.newBaseManager()) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> Students.fromLayers(weights, new int[] {0, 1, 2, 3, 4, 5}, m));
            assertTrue(e.getMessage().contains("fewer than its teacher"), e.getMessage());
            e = assertThrows(InvalidInputException.class, () -> Students.fromLayers(weights, new int[] {0, 6}, m));
            assertTrue(e.getMessage().contains("0..5"), e.getMessage());
            assertThrows(InvalidInputException.class, () -> Students.narrowFeedForward(weights, 1.0, m));
            assertFalse(weights.keys().isEmpty());
        }
    }

    /** BGE-small: 12 layers of the same shape; its 6-layer student (bge-spam's distill.layers) exports exactly too. */
    @Test
    void bgeAndItsSixLayerStudentEqualOnnxRuntime() throws Exception {
        Catalog.Model bge = Suite.fromSystemProperty().catalog().model("bge-spam");
        Assumptions.assumeTrue(Files.isRegularFile(bge.onnx()), "needs bge-spam composed by the build (models/base)");
        OnnxMl.ModelProto model = OnnxModels.load(bge.onnx());
        BertWeights w = BertWeights.read(model);
        assertEquals(12, w.config().layers());
        assertEquals(1536, w.config().ffn());
        List<SpamCorpus.Sample> samples = List.of(new SpamCorpus.Sample("Re: lunch tomorrow? Sounds good.", 0),
                SpamCorpus.readJsonl(bge.resolve(bge.descriptor().evaluation().small())).get(0));
        TokenizedTexts t = TokenizedTexts.of(samples, bge.tokenizer(), bge.descriptor().input().sequenceLength());
        try (NDManager m = NDManager.newBaseManager()) {
            float[] djl = BertClassifier.of(w, m).logits(m, t.ids(), t.mask(), t.types(), t.size(), t.sequence());
            assertTrue(OrtLogits.maxAbsDiff(djl, OrtLogits.of(ENV, model, t, t.size(), 1)) < 1e-4);
            int[] layers = Students.parseLayers(bge.descriptor().operatorDefaults().get("distill.layers"), "distill.layers");
            BertClassifier student = Students.fromLayers(w, layers, m);
            OnnxMl.ModelProto exported = BertExport.export(ENV, model, w, student);
            assertEquals(6, BertWeights.layers(exported));
            float[] s = student.logits(m, t.ids(), t.mask(), t.types(), t.size(), t.sequence());
            assertTrue(OrtLogits.maxAbsDiff(s, OrtLogits.of(ENV, exported, t, t.size(), 1)) < 1e-4);
        }
    }
}
