package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.data.FashionMnist;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.Operator;
import org.tiermark.operator.VariantBuilder;

/** The white-box operator steps: chains refused from step properties, bad input before training, nothing cached on refusal. */
class WhiteboxStepTest {
    static final Catalog CATALOG = Catalog.load(Path.of("models"));
    static final OrtEnvironment ENV = Sessions.environment();

    @TempDir
    Path dir;

    @BeforeAll
    static void threads() {
        Tiny.oneThread();
    }

    @BeforeEach
    void cache() {
        System.setProperty(TrainedModels.FOLDER_PROPERTY, dir.resolve("cache").toString());
    }

    @AfterEach
    void noCache() {
        System.clearProperty(TrainedModels.FOLDER_PROPERTY);
    }

    @Test
    void theWhiteBoxStepsAreRegisteredAndTrain() {
        for (String w : new String[] {"distill", "prune", "prune-channels", "qat", "finetune"}) {
            Operator op = Operator.parse(w);
            assertTrue(op.steps().get(0).trains(), w);
        }
        assertTrue(Operator.parse("qat").steps().get(0).quantizes());
        assertFalse(Operator.parse("distill").steps().get(0).quantizes());
        // the union of the trainers' keys, with the defaults of the committed runs
        Map<String, String> p = Operator.parse("distill").steps().get(0).parameters();
        assertEquals("4", p.get("distill.temperature"));
        assertEquals("0.7", p.get("distill.alpha"));
        assertEquals("0.75", Operator.parse("prune").steps().get(0).parameters().get("prune.sparsity"));
        assertEquals("0.5", Operator.parse("prune-channels").steps().get(0).parameters().get("prune-channels.sparsity"));
    }

    @Test
    void hybridsThatMakeSenseParseAndNonsenseIsRefusedWithTheReason() {
        for (String ok : new String[] {"distill+sptq", "prune+sptq", "prune-channels+sptq", "distill+partition",
                "distill+early-exit", "distill+sptq+partition"}) {
            assertEquals(ok, Operator.parse(ok).name());
        }
        assertMessage("qat+sptq", "already quantized");
        assertMessage("sptq+distill", "training after quantization");
        assertMessage("partition+distill", "must be the first step");
        assertMessage("early-exit+prune", "training after early-exit");
        assertMessage("distill+prune", "two training steps");
    }

    private static void assertMessage(String op, String part) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Operator.parse(op));
        assertTrue(e.getMessage().contains(part), op + ": " + e.getMessage());
    }

    @Test
    void badParametersAreRefusedNamingTheKeyAndRangeBeforeAnythingIsCached() {
        assertRefused("prune", Map.of("prune.sparsity", "1"), "prune.sparsity", "[0, 1)");
        assertRefused("prune", Map.of("prune.sparsity", "-0.1"), "prune.sparsity", "[0, 1)");
        assertRefused("prune-channels", Map.of("prune-channels.sparsity", "1.5"), "prune-channels.sparsity", "[0, 1)");
        assertRefused("distill", Map.of("distill.temperature", "0"), "distill.temperature", "> 0");
        assertRefused("distill", Map.of("distill.width-ratio", "0.9"), "distill.width-ratio", "2x cheaper");
        assertRefused("distill+sptq", Map.of("distill.epochs", "0"), "distill.epochs", ">= 1");
        assertRefused("qat", Map.of("qat.learning-rate", "x"), "qat.learning-rate", "number");
    }

    private void assertRefused(String operator, Map<String, String> overrides, String key, String range) {
        Catalog.Model m = CATALOG.model("resnet-fmnist");
        Path folder = dir.resolve("variants").resolve(operator);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> VariantBuilder.build(ENV,
                VariantBuilder.Source.describing(m), Operator.parse(operator), overrides, folder));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(range), e.getMessage());
        assertFalse(Files.exists(folder), "nothing built");
        assertFalse(Files.exists(dir.resolve("cache")), "nothing cached");
    }

    @Test
    void modelsNoTrainerTrainsAreLeftOutWithTheReason() {
        Catalog.Model det = CATALOG.model("ppocr-det");
        Optional<String> why = notApplicable(det, "distill");
        assertTrue(why.isPresent() && why.get().contains("text-detection") && why.get().contains("no training data or trainer"),
                why.toString());
        Optional<String> finetune = notApplicable(CATALOG.model("resnet-fmnist"), "finetune");
        assertTrue(finetune.isPresent(), "no CNN trainer fine-tunes: the CNN identity is trained end to end");
        if (WhiteboxTrainers.find("distill", VariantBuilder.Source.describing(CATALOG.model("minilm-spam"))).isEmpty()) {
            assertTrue(notApplicable(CATALOG.model("minilm-spam"), "distill").orElseThrow().contains("minilm-spam"));
        }
        assertEquals(Optional.empty(), notApplicable(CATALOG.model("resnet-fmnist"), "distill+sptq"));
    }

    @Test
    void missingTrainingDataNamesThePackage() {
        System.setProperty(FashionMnist.FOLDER_PROPERTY, dir.resolve("nowhere").toString());
        try {
            String why = notApplicable(CATALOG.model("resnet-fmnist"), "prune").orElseThrow();
            assertTrue(why.contains(FashionMnist.PACKAGE) && why.contains("nowhere"), why);
        } finally {
            System.clearProperty(FashionMnist.FOLDER_PROPERTY);
        }
    }

    private static Optional<String> notApplicable(Catalog.Model m, String operator) {
        Operator op = Operator.parse(operator);
        return VariantBuilder.notApplicable(ENV, VariantBuilder.Source.describing(m), op,
                VariantBuilder.params(op, m.descriptor().operatorDefaults(), Map.of()));
    }

    @Test
    void aCommittedResultOfTheSameRecipeSeedsTheCacheWithoutTraining() throws Exception {
        Catalog.Model m = CATALOG.model("resnet-fmnist");
        VariantBuilder.Source src = VariantBuilder.Source.describing(m);
        WhiteboxTrainer t = WhiteboxTrainers.find("distill", src).orElseThrow();
        Map<String, String> params = WhiteboxStep.own(t, Map.of());
        var ctx = new org.tiermark.operator.StepContext(ENV, src, params, java.util.Set.of(), java.util.List.of());
        TrainedModels.Obtained o = TrainedModels.obtain(t, null, ctx);
        assertTrue(o.how().startsWith("seeded from resnet-fmnist-distill"), o.how());
        assertEquals(0.9177, ((Number) o.section().get("testAccuracyOnnx")).doubleValue(), 1e-9);
        assertEquals("cache", TrainedModels.obtain(t, null, ctx).how());
        try (Stream<Path> s = Files.list(o.folder().getParent())) {
            assertEquals(1, s.count(), "one entry, no work folder left");
        }
    }

    @Test
    void everyPrunedLayerMustBeWithinOnePointOfTheTarget() {
        Pruning.Details ok = new Pruning.Details(java.util.List.of(new Pruning.LayerSparsity("a", 1000, 750, 0.75),
                new Pruning.LayerSparsity("b", 1000, 745, 0.745)), 0.75, java.util.List.of());
        assertTrue(CnnTrainer.checkSparsity(ok, 0.75));
        Pruning.Details off = new Pruning.Details(java.util.List.of(new Pruning.LayerSparsity("layer2.0.conv1", 1000, 700, 0.70)),
                0.70, java.util.List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CnnTrainer.checkSparsity(off, 0.75));
        assertTrue(e.getMessage().contains("layer2.0.conv1"), e.getMessage());
    }
}
