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

    @Test
    void aStepThatFineTunesTheModelItIsGivenMayFollowATrainingStep() {
        for (String ok : new String[] {"distill+qat", "prune-channels+qat", "finetune+qat", "distill+qat+partition",
                "distill+qat+early-exit", "prune-channels+qat+partition", "distill+finetune", "distill+finetune+qat"}) {
            Operator op = Operator.parse(ok);
            assertEquals(ok, op.name());
            assertTrue(op.steps().get(1).trainsGivenModel(), ok);
        }
        assertFalse(Operator.parse("distill").steps().get(0).trainsGivenModel(), "distill builds a student from the catalog model");
        assertTrue(Operator.parse("prune").steps().get(0).masksWeights());
    }

    @Test
    void chainedTrainingThatMakesNoSenseIsRefusedNamingTheStepsWhyAndWhatToWrite() {
        // quantized first: qat's int8 model cannot be distilled; the suggestion parses
        assertMessage("qat+distill", "distill after qat", "training after quantization", "e.g. write distill+qat");
        assertMessage("qat+finetune", "finetune after qat", "training after quantization", "e.g. write finetune+qat");
        // two steps that each build a network from the catalog model: today's reason
        assertMessage("distill+prune", "two training steps (distill, prune)", "prune builds its network from the catalog model",
                "such as", "qat", "choose one");
        assertMessage("prune-channels+distill", "two training steps (prune-channels, distill)", "discard what prune-channels trained");
        assertMessage("finetune+distill", "two training steps (finetune, distill)");
        // prune's zeros are held by masks that only its own training keeps
        assertMessage("prune+qat", "qat after prune", "masks", "back to non-zero", "to quantize its model, write prune+sptq");
        assertMessage("prune+finetune", "finetune after prune", "masks");
        // a fine-tuning step reads a trained network, not early-exit's rewritten graph
        assertMessage("distill+early-exit+qat", "qat fine-tunes the model distill trained", "not after early-exit",
                "e.g. write distill+qat+early-exit");
        assertMessage("early-exit+qat", "qat trains, so it must be the first step", "fine-tune early-exit's rewritten graph",
                "e.g. write qat+early-exit");
        assertMessage("distill+sptq+qat", "qat after sptq", "already quantized");
    }

    private static void assertMessage(String op, String... parts) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Operator.parse(op));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), op + " (" + part + "): " + e.getMessage());
        }
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

    /** A trainer that writes a checkpoint and then fails (or not): the cache around it is under test. */
    private static WhiteboxTrainer fake(boolean fails) {
        return new WhiteboxTrainer() {
            public String operator() {
                return "distill";
            }

            public boolean trains(VariantBuilder.Source source) {
                return true;
            }

            public Map<String, String> parameters() {
                return Map.of("distill.seed", "1");
            }

            public Optional<String> notApplicable(VariantBuilder.Source source) {
                return Optional.empty();
            }

            public void validate(Map<String, String> params, VariantBuilder.Source source) {}

            public Trained train(ai.onnx.proto.OnnxMl.ModelProto source, org.tiermark.operator.StepContext ctx, Path work)
                    throws Exception {
                Files.createDirectories(work.resolve("checkpoint"));
                Files.writeString(work.resolve("checkpoint/last.params"), "epoch 1");
                if (fails) {
                    throw new TrainingLoop.DivergedException("distill: training diverged: loss NaN at step 7");
                }
                return new Trained(source, Map.of("epochs", java.util.List.of()));
            }
        };
    }

    @Test
    void aDivergedRunLeavesNoEntryKeepsItsCheckpointAndSaysSo() throws Exception {
        Catalog.Model m = CATALOG.model("resnet-fmnist");
        VariantBuilder.Source src = VariantBuilder.Source.describing(m);
        var ctx = new org.tiermark.operator.StepContext(ENV, src, Map.of("distill.seed", "1"), java.util.Set.of(), java.util.List.of());
        var model = org.tiermark.onnx.OnnxModels.load(m.onnx());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TrainedModels.obtain(fake(true), model, ctx));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("nothing was cached")
                && e.getMessage().contains(".training"), e.getMessage());
        Path models = dir.resolve("cache/resnet-fmnist");
        try (Stream<Path> s = Files.list(models)) {
            java.util.List<Path> left = s.toList();
            assertEquals(1, left.size(), left.toString());
            assertTrue(left.get(0).getFileName().toString().endsWith(".training"), "only the work folder, no entry");
            assertEquals("epoch 1", Files.readString(left.get(0).resolve("checkpoint/last.params")), "the last good checkpoint kept");
        }
        TrainedModels.Obtained ok = TrainedModels.obtain(fake(false), model, ctx);
        assertEquals("trained", ok.how());
        assertTrue(Files.isDirectory(ok.folder().resolveSibling(ok.folder().getFileName() + ".interrupted")),
                "the failed run's folder is kept aside");
        assertEquals("cache", TrainedModels.obtain(fake(true), model, ctx).how(), "a cached model is not trained again");
    }
}
