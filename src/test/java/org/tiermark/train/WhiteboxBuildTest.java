package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.data.FashionMnist;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.InputSamples;
import org.tiermark.operator.Operator;
import org.tiermark.operator.Variant;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.operator.VariantManifest;

/**
 * A white-box variant built end to end through the real VariantBuilder on the catalog's resnet-fmnist
 * (a real distillation, cut to a few steps): cache miss, trained, manifest; again: cache hit, no
 * training; distill+sptq reuses the trained student.
 */
class WhiteboxBuildTest {
    /** A few steps on a few images: seconds, but every part real. */
    static final Map<String, String> SHORT = Map.of("distill.train-limit", "128", "distill.max-steps", "2",
            "distill.batch-size", "32", "distill.test-limit", "100", "distill.epochs", "1", "check.samples", "4");

    @TempDir
    static Path dir;

    @BeforeAll
    static void cache() {
        Tiny.oneThread();
        System.setProperty(TrainedModels.FOLDER_PROPERTY, dir.resolve("cache").toString());
    }

    @AfterAll
    static void noCache() {
        System.clearProperty(TrainedModels.FOLDER_PROPERTY);
    }

    @Test
    void distillTrainsOnceAndDistillSptqReusesTheStudent() throws Exception {
        OrtEnvironment env = Sessions.environment();
        Catalog.Model m = Catalog.load(Path.of("models")).model("resnet-fmnist");
        FmnistInputs train = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TRAIN), 28, 200);
        InputSamples calibration = Whitebox.calibration(train);
        VariantBuilder.Source src = new VariantBuilder.Source(m.name(), m.onnx(), calibration.first(50, "calibration"),
                calibration.skip(50), m.descriptor().operatorDefaults(), m);

        Variant v = VariantBuilder.ensure(env, src, Operator.parse("distill"), SHORT, dir.resolve("v/distill"), false);
        VariantManifest first = VariantManifest.read(v.manifest());
        Map<String, Object> s = first.steps().get("distill");
        assertEquals("trained", s.get("trainedModel"));
        assertEquals("CnnTrainer", s.get("trainer"));
        assertEquals("2", first.params().get("distill.max-steps"));
        assertTrue(s.containsKey("epochs") && s.containsKey("sourceSha256") && s.containsKey("trainDataSha256")
                && s.containsKey("trainingSeconds"), s.keySet().toString());
        assertEquals(1, ((List<?>) s.get("epochs")).size());
        assertTrue(!s.get("onnx").toString().startsWith("/") && !s.get("onnx").toString().startsWith("file:"), "relative paths");
        // the student is at least 2x cheaper, and the exported model is what the variant holds
        Map<?, ?> cost = (Map<?, ?>) s.get("cost");
        Map<?, ?> teacher = (Map<?, ?>) s.get("sourceCost");
        assertTrue(2 * ((Number) cost.get("multiplyAdds")).longValue() <= ((Number) teacher.get("multiplyAdds")).longValue());

        // the variant is current: not rebuilt, nothing trained
        Variant again = VariantBuilder.ensure(env, src, Operator.parse("distill"), SHORT, dir.resolve("v/distill"), false);
        assertEquals(first.builtAt(), VariantManifest.read(again.manifest()).builtAt());
        // rebuilt (forced): the trained model comes from the cache
        Variant rebuilt = VariantBuilder.ensure(env, src, Operator.parse("distill"), SHORT, dir.resolve("v/distill"), true);
        assertEquals("cache", VariantManifest.read(rebuilt.manifest()).steps().get("distill").get("trainedModel"));

        Map<String, String> hybridParams = new java.util.HashMap<>(SHORT);
        hybridParams.put("sptq.calibration.samples", "20");
        Variant hybrid = VariantBuilder.ensure(env, src, Operator.parse("distill+sptq"), hybridParams, dir.resolve("v/distill+sptq"),
                false);
        VariantManifest h = VariantManifest.read(hybrid.manifest());
        assertEquals("cache", h.steps().get("distill").get("trainedModel"));
        assertEquals(s.get("trainingRecipeSha256"), h.steps().get("distill").get("trainingRecipeSha256"));
        assertTrue(h.fusedOps().get("model.onnx").keySet().stream().anyMatch(k -> k.contains("QLinear")), h.fusedOps().toString());
        try (Stream<Path> entries = Files.list(dir.resolve("cache/resnet-fmnist"))) {
            assertEquals(1, entries.count(), "one trained model for both variants");
        }
    }

    @Test
    void withTrainingOffAMissingModelIsRefusedAndNothingIsCached() throws Exception {
        OrtEnvironment env = Sessions.environment();
        Catalog.Model m = Catalog.load(Path.of("models")).model("resnet-fmnist");
        FmnistInputs train = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TRAIN), 28, 200);
        InputSamples calibration = Whitebox.calibration(train);
        VariantBuilder.Source src = new VariantBuilder.Source(m.name(), m.onnx(), calibration.first(50, "calibration"),
                calibration.skip(50), m.descriptor().operatorDefaults(), m);
        // a recipe no other test trains (another seed), so that the cache cannot hold it
        Map<String, String> params = new java.util.HashMap<>(SHORT);
        params.put("distill.seed", "7");
        System.setProperty(TrainedModels.TRAIN_PROPERTY, "false");
        try {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> VariantBuilder.ensure(env, src,
                    Operator.parse("distill"), params, dir.resolve("off/distill"), false));
            assertTrue(e.getMessage().contains("tiermark.train=false") && e.getMessage().contains("tiermark variants"), e.getMessage());
            assertTrue(!Files.exists(dir.resolve("off/distill/manifest.json")), "no variant");
            System.setProperty(TrainedModels.TRAIN_PROPERTY, "maybe");
            InvalidInputException bad = assertThrows(InvalidInputException.class, () -> VariantBuilder.ensure(env, src,
                    Operator.parse("distill"), params, dir.resolve("off/distill"), false));
            assertTrue(bad.getMessage().contains("must be true"), bad.getMessage());
        } finally {
            System.clearProperty(TrainedModels.TRAIN_PROPERTY);
        }
    }
}
