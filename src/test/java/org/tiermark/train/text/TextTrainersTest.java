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
 * and checked (tag {@code minilm}; skipped, saying so, without the composed model).
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
        assertTrue((double) r.section().get("exportMaxAbsLogitDiff") < 1e-4);
        assertTrue(Files.isRegularFile(work.resolve("teacher-logits.bin")));
        assertTrue(Files.list(work.resolve("checkpoint")).anyMatch(f -> f.toString().endsWith(".params")));
        // frozen: the word embeddings are the teacher's
        BertWeights out = BertWeights.read(r.model());
        BertWeights in = BertWeights.read(model);
        assertEquals(0.0, OrtLogits.maxAbsDiff(in.value("word"), out.value("word")));
        assertFalse(java.util.Arrays.equals(in.value("1.query.weight"), out.value("1.query.weight")));
    }
}
