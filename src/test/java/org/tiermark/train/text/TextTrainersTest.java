package org.tiermark.train.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.StepContext;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.train.WhiteboxTrainer;
import org.tiermark.train.WhiteboxTrainers;

/**
 * The text trainers on the real minilm-spam: found through the registry, refusing bad parameters
 * before any work, and a few real steps on a handful of SpamAssassin training texts each, exported
 * and checked (tag {@code minilm}; skipped, saying so, without the composed model). The prune run is
 * behind {@code -Dtiermark.slow=true} (25 s of mask sorting on a quiet machine; the masks are tested alone).
 */
@Tag("minilm")
class TextTrainersTest {
    static VariantBuilder.Source source;
    static OnnxMl.ModelProto model;

    @TempDir
    Path work;

    @BeforeAll
    static void load() {
        TextTraining.threads(1);
        Suite suite = Suite.fromSystemProperty();
        Catalog.Model m = suite.catalog().model("minilm-spam");
        Assumptions.assumeTrue(Files.isRegularFile(m.onnx()), "needs minilm-spam composed by the build (models/base)");
        Assumptions.assumeTrue(TextTrainer.corpus(m).resolve("data").toFile().isDirectory(), "needs the SpamAssassin package");
        source = new VariantBuilder.Source("minilm-spam", m.onnx(), null, null, m.descriptor().operatorDefaults(), m);
        model = OnnxModels.load(m.onnx());
    }

    static StepContext ctx(WhiteboxTrainer t, Map<String, String> overrides) {
        Map<String, String> p = new HashMap<>(t.parameters());
        p.putAll(overrides);
        return new StepContext(Sessions.environment(), source, p, Set.of(), List.of());
    }

    static Map<String, String> smoke(String op) {
        return Map.of(op + ".text-limit", "6", op + ".text-batch", "3", op + ".text-max-steps", "2", op + ".text-threads", "1");
    }

    @Test
    void registryFindsATrainerForEveryTextOperator() {
        for (String op : List.of("distill", "finetune", "prune", "prune-channels")) {
            WhiteboxTrainer t = WhiteboxTrainers.find(op, source).orElseThrow(() -> new AssertionError(op));
            assertTrue(t.notApplicable(source).isEmpty(), op);
            t.parameters().keySet().forEach(k -> assertTrue(k.startsWith(op + "."), k));
        }
    }

    @Test
    void distillRefusesBadParametersBeforeWork() {
        TextDistill t = new TextDistill();
        Map<String, String> p = new HashMap<>(t.parameters());
        p.put("distill.layers", "0,1,2,3,4,5");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> t.validate(p, source));
        assertTrue(e.getMessage().contains("distill.layers"), e.getMessage());
        p.put("distill.layers", "0,2,9");
        assertThrows(InvalidInputException.class, () -> t.validate(p, source));
        p.put("distill.layers", "0,2,4");
        p.put("distill.temperature", "0");
        e = assertThrows(InvalidInputException.class, () -> t.validate(p, source));
        assertTrue(e.getMessage().contains("distill.temperature"), e.getMessage());
        p.put("distill.temperature", "4");
        p.put("distill.text-lr", "-1");
        assertThrows(InvalidInputException.class, () -> t.validate(p, source));
    }

    @Test
    void distillTrainsAThreeLayerStudentAndExportsIt() throws Exception {
        TextDistill t = new TextDistill();
        WhiteboxTrainer.Trained r = t.train(model, ctx(t, smoke("distill")), work);
        assertEquals(3, BertWeights.layers(r.model()));
        assertEquals(2, r.section().get("steps"));
        assertTrue((double) r.section().get("exportMaxAbsLogitDiff") <= 1e-4 * (double) r.section().get("exportLargestAbsLogit"));
        assertTrue(Files.isRegularFile(work.resolve("teacher-logits.bin")));
        assertTrue(Files.list(work.resolve("checkpoint")).anyMatch(f -> f.toString().endsWith(".params")));
        // frozen: the word embeddings are the teacher's
        BertWeights out = BertWeights.read(r.model());
        BertWeights in = BertWeights.read(model);
        assertEquals(0.0, OrtLogits.maxAbsDiff(in.value("word"), out.value("word")));
        assertFalse(java.util.Arrays.equals(in.value("1.query.weight"), out.value("1.query.weight")));
    }

    @Test
    void finetuneChangesTheEncoderAndKeepsTheShape() throws Exception {
        TextFinetune t = new TextFinetune();
        WhiteboxTrainer.Trained r = t.train(model, ctx(t, smoke("finetune")), work);
        BertWeights out = BertWeights.read(r.model());
        BertWeights in = BertWeights.read(model);
        assertEquals(in.config(), out.config());
        assertFalse(java.util.Arrays.equals(in.value("5.output.weight"), out.value("5.output.weight")));
        assertFalse(java.util.Arrays.equals(in.value("head.weight"), out.value("head.weight")));
    }

    @Test
    void channelPruningHalvesTheFeedForwardWidth() throws Exception {
        TextChannelPruning t = new TextChannelPruning();
        WhiteboxTrainer.Trained r = t.train(model, ctx(t, smoke("prune-channels")), work);
        BertWeights out = BertWeights.read(r.model());
        assertEquals(768, out.config().ffn());
        assertEquals(6, out.config().layers());
        assertTrue((double) r.section().get("exportMaxAbsLogitDiff") <= 1e-4 * (double) r.section().get("exportLargestAbsLogit"));
        Map<String, String> p = new HashMap<>(t.parameters());
        p.put("prune-channels.sparsity", "1");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> t.validate(p, source));
        assertTrue(e.getMessage().contains("prune-channels.sparsity"), e.getMessage());
    }

    @Test
    @EnabledIfSystemProperty(named = "tiermark.slow", matches = "true")
    void pruningReachesTheTargetSparsityInEveryMatrix() throws Exception {
        TextPruning t = new TextPruning();
        Map<String, String> p = new HashMap<>(smoke("prune"));
        p.put("prune.sparsity", "0.9");
        p.put("prune.update-every", "1");
        WhiteboxTrainer.Trained r = t.train(model, ctx(t, p), work);
        BertWeights out = BertWeights.read(r.model());
        @SuppressWarnings("unchecked")
        Map<String, Double> achieved = (Map<String, Double>) ((Map<String, Object>) r.section().get("details")).get("achievedSparsity");
        assertEquals(36, achieved.size());
        for (String k : achieved.keySet()) {
            assertEquals(0.9, TextPruning.zeros(out.value(k)), 0.01, k);
            assertEquals(0.9, achieved.get(k), 0.01, k);
        }
        assertTrue(TextPruning.zeros(out.value("word")) < 0.01, "embeddings are not pruned");
        Map<String, String> bad = new HashMap<>(t.parameters());
        bad.put("prune.sparsity", "-0.1");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> t.validate(bad, source));
        assertTrue(e.getMessage().contains("prune.sparsity"), e.getMessage());
    }

    @Test
    void maskZeroesExactlyTheSmallestMagnitudes() {
        float[] m = TextPruning.Masks.mask(new float[] {0.5f, -0.1f, 0.3f, -0.9f, 0.2f}, 2);
        assertEquals(List.of(1f, 0f, 1f, 1f, 0f), List.of(m[0], m[1], m[2], m[3], m[4]));
        assertEquals(0.0, TextPruning.scheduled(0.9, 0, 10));
        assertEquals(0.9, TextPruning.scheduled(0.9, 10, 10), 1e-12);
    }
}
