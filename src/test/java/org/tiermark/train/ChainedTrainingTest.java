package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.data.FashionMnist;
import org.tiermark.data.LabelledImages;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.InputSamples;
import org.tiermark.onnx.Tensors;
import org.tiermark.operator.Operator;
import org.tiermark.operator.Variant;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.operator.VariantManifest;

/**
 * A training step after another ({@code distill+qat}): single-step recipes unchanged (the committed
 * results still seed the cache), the second training keyed by the first one's output, and the CNN qat
 * reading the previous step's network from its ONNX rather than assuming the catalog's architecture.
 */
class ChainedTrainingTest {
    static final Catalog CATALOG = Catalog.load(Path.of("models"));

    @TempDir
    Path dir;

    @BeforeAll
    static void threads() {
        Tiny.oneThread();
    }

    /** Every committed result's recipe still hashes to what its recipe.json says, and today's defaults make that recipe. */
    @Test
    void everyCommittedRecipeIsUnchangedAndStillSeedsTheCache() throws IOException {
        List<Path> committed;
        try (Stream<Path> s = Files.list(Path.of("models/trained"))) {
            committed = s.filter(p -> Files.isRegularFile(p.resolve(TrainedModels.RECIPE))).sorted().toList();
        }
        assertTrue(committed.size() >= 6, committed.toString());
        for (Path c : committed) {
            TrainedModels.Entry e = Json.read(c.resolve(TrainedModels.RECIPE), TrainedModels.Entry.class);
            assertEquals(e.recipeSha256(), e.recipe().sha256(), c + ": the recipe's serialized form changed");
            VariantBuilder.Source src = VariantBuilder.Source.describing(CATALOG.model(e.recipe().model()));
            WhiteboxTrainer t = WhiteboxTrainers.find(e.recipe().operator(), src).orElseThrow();
            Map<String, String> params = VariantBuilder.params(Operator.parse(e.recipe().operator()), src.defaults(), Map.of());
            TrainedModels.Recipe today = TrainedModels.recipe(t, src, WhiteboxStep.own(t, params));
            assertEquals(e.recipeSha256(), today.sha256(), c + ": today's default recipe " + today);
            assertTrue(TrainedModels.seeds(c, today.sha256()), c + " seeds the cache");
        }
    }

    @Test
    void theSecondTrainingIsKeyedByTheFirstOnesOutput() throws IOException {
        Catalog.Model m = CATALOG.model("resnet-fmnist");
        VariantBuilder.Source src = VariantBuilder.Source.describing(m);
        Path studentFile = Path.of("models/trained/resnet-fmnist-distill/model.onnx");
        OnnxMl.ModelProto student = OnnxModels.load(studentFile);
        TrainedModels.Entry distilled = Json.read(studentFile.resolveSibling(TrainedModels.RECIPE), TrainedModels.Entry.class);

        assertTrue(TrainedModels.isCatalogModel(src, OnnxModels.load(m.onnx())));
        assertTrue(TrainedModels.isCatalogModel(src, null));
        assertFalse(TrainedModels.isCatalogModel(src, student));
        assertEquals(OnnxModels.sha256(m.onnx()), TrainedModels.sourceSha256(src, OnnxModels.load(m.onnx())));
        // the bytes the cache wrote, read back and hashed again: the first training's output hash
        assertEquals(distilled.modelSha256(), TrainedModels.sourceSha256(src, student));

        WhiteboxTrainer qat = WhiteboxTrainers.find("qat", src).orElseThrow();
        Map<String, String> params = WhiteboxStep.own(qat, Map.of());
        TrainedModels.Recipe alone = TrainedModels.recipe(qat, src, params);
        TrainedModels.Recipe chained = TrainedModels.recipe(qat, src, TrainedModels.sourceSha256(src, student), params);
        assertEquals(distilled.modelSha256(), chained.sourceSha256());
        assertNotEquals(alone.sha256(), chained.sha256());
        assertFalse(TrainedModels.seeds(Path.of("models/trained/resnet-fmnist-qat"), chained.sha256()),
                "the committed qat of the teacher does not stand in for the student's");
    }

    /** The committed student and channel-pruned networks read back with their own architectures and weights. */
    @Test
    void theCnnQatReadsThePreviousStepsNetworkFromItsOnnx() throws Exception {
        Architecture resnet = Architecture.resnet();
        OnnxMl.ModelProto student = OnnxModels.load(Path.of("models/trained/resnet-fmnist-distill/model.onnx"));
        Architecture a = OnnxNetwork.architecture(student, resnet);
        Architecture expected = resnet.narrower("resnet-fmnist-student", 0.5);
        assertEquals(expected.widths(), a.widths());
        assertEquals(expected.stemChannels(), a.stemChannels());
        assertEquals(expected.cost(), a.cost());
        assertTrue(2 * a.cost().multiplyAdds() <= resnet.cost().multiplyAdds());

        OnnxMl.ModelProto channels = OnnxModels.load(Path.of("models/trained/resnext-fmnist-prune-channels/model.onnx"));
        Architecture pruned = OnnxNetwork.architecture(channels, Architecture.resnext());
        assertEquals(ChannelPruning.pruned(Architecture.resnext(), 0.5).cost(), pruned.cost());

        // loaded and exported again: the same weights (batch norm as identity around the folded convolution)
        FmnistInputs eval = FmnistInputs.of(LabelledImages.load(Path.of("data/fashion-mnist/eval-100"), FashionMnist.CLASS_COUNT),
                a.inputSize());
        try (Model model = OnnxNetwork.load(student, a)) {
            OnnxMl.ModelProto again = OnnxExporter.export((Network) model.getBlock());
            Map<String, OnnxMl.TensorProto> before = byName(student);
            for (OnnxMl.TensorProto t : again.getGraph().getInitializerList()) {
                float[] x = Tensors.toFloats(t);
                float[] y = Tensors.toFloats(before.get(t.getName()));
                for (int i = 0; i < x.length; i++) {
                    assertEquals(y[i], x[i], 1e-5 * Math.max(1, Math.abs(y[i])), t.getName() + "[" + i + "]");
                }
            }
            float[][] djl = FashionMnistTrainer.logits(model, eval, 50);
            Path file = dir.resolve("student.onnx");
            OnnxModels.save(student, file);
            float[][] ort = OnnxLogits.of(file, eval, 50, 1);
            assertTrue(OnnxLogits.maxAbsDiff(djl, ort) < 1e-4, "DJL computes the student's ONNX: " + OnnxLogits.maxAbsDiff(djl, ort));
        }
        // the grouped, channel-pruned ResNeXt as well (32x32 input, 8 groups, half the channels inside its units)
        FmnistInputs eval32 = FmnistInputs.of(LabelledImages.load(Path.of("data/fashion-mnist/eval-100"), FashionMnist.CLASS_COUNT),
                pruned.inputSize());
        try (Model model = OnnxNetwork.load(channels, pruned)) {
            float[][] djl = FashionMnistTrainer.logits(model, eval32, 50);
            Path file = dir.resolve("channels.onnx");
            OnnxModels.save(channels, file);
            double diff = OnnxLogits.maxAbsDiff(djl, OnnxLogits.of(file, eval32, 50, 1));
            assertTrue(diff < 1e-4, "DJL computes the channel-pruned ONNX: " + diff);
        }
    }

    @Test
    void aModelTheTrainerCannotReadIsRefusedWithTheReason() {
        VariantBuilder.Source resnet = VariantBuilder.Source.describing(CATALOG.model("resnet-fmnist"));
        OnnxMl.ModelProto text = OnnxModels.load(CATALOG.model("minilm-spam").onnx());
        WhiteboxTrainer cnnQat = WhiteboxTrainers.find("qat", resnet).orElseThrow();
        String why = cnnQat.cannotTrainFrom(text, resnet).orElseThrow();
        assertTrue(why.contains("stem.conv.weight"), why);
        assertTrue(WhiteboxTrainers.find("distill", resnet).orElseThrow()
                .cannotTrainFrom(OnnxModels.load(Path.of("models/trained/resnet-fmnist-distill/model.onnx")), resnet)
                .orElseThrow().contains("catalog model"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> OnnxNetwork.architecture(text, Architecture.resnet()));
        assertTrue(e.getMessage().contains("not an export"), e.getMessage());

        VariantBuilder.Source minilm = VariantBuilder.Source.describing(CATALOG.model("minilm-spam"));
        WhiteboxTrainer textQat = WhiteboxTrainers.find("qat", minilm).orElseThrow();
        OnnxMl.ModelProto cnn = OnnxModels.load(CATALOG.model("resnet-fmnist").onnx());
        assertTrue(textQat.cannotTrainFrom(cnn, minilm).orElseThrow().contains("no encoder layers"));
        assertEquals(java.util.Optional.empty(), textQat.cannotTrainFrom(text, minilm));
    }

    /** distill+qat built end to end on resnet-fmnist, each training cut to two steps: the qat trains the student. */
    @Test
    void distillQatFineTunesTheStudentAndIsCachedUnderItsHash() throws Exception {
        System.setProperty(TrainedModels.FOLDER_PROPERTY, dir.resolve("cache").toString());
        try {
            OrtEnvironment env = Sessions.environment();
            Catalog.Model m = CATALOG.model("resnet-fmnist");
            FmnistInputs train = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TRAIN), 28, 200);
            InputSamples calibration = Whitebox.calibration(train);
            VariantBuilder.Source src = new VariantBuilder.Source(m.name(), m.onnx(), calibration.first(50, "calibration"),
                    calibration.skip(50), m.descriptor().operatorDefaults(), m);
            Map<String, String> params = new HashMap<>(WhiteboxBuildTest.SHORT);
            params.putAll(Map.of("qat.train-limit", "128", "qat.max-steps", "2", "qat.batch-size", "32", "qat.test-limit", "100"));

            Variant v = VariantBuilder.ensure(env, src, Operator.parse("distill+qat"), params, dir.resolve("v"), false);
            VariantManifest manifest = VariantManifest.read(v.manifest());
            Map<String, Object> distill = manifest.steps().get("distill");
            Map<String, Object> qat = manifest.steps().get("qat");
            assertEquals("trained", qat.get("trainedModel"));
            Path distilled = dir.resolve("cache/resnet-fmnist").resolve("distill-"
                    + distill.get("trainingRecipeSha256").toString().substring(0, 16));
            String studentSha = OnnxModels.sha256(distilled.resolve(TrainedModels.MODEL));
            assertEquals(studentSha, qat.get("sourceSha256"), "qat started from the student's file");
            assertTrue(qat.get("trainedFrom").toString().contains(studentSha), qat.toString());
            Map<?, ?> cost = (Map<?, ?>) qat.get("cost");
            assertEquals(Architecture.resnet().narrower("s", 0.5).cost().multiplyAdds(), ((Number) cost.get("multiplyAdds")).longValue(),
                    "the student's architecture, read from its ONNX");
            assertTrue(manifest.fusedOps().get("model.onnx").keySet().stream().anyMatch(k -> k.contains("QLinear")),
                    manifest.fusedOps().toString());
            try (Stream<Path> entries = Files.list(dir.resolve("cache/resnet-fmnist"))) {
                assertEquals(List.of("distill", "qat"), entries.map(p -> p.getFileName().toString().replaceAll("-[0-9a-f]{16}$", ""))
                        .sorted().toList());
            }
            Variant again = VariantBuilder.ensure(env, src, Operator.parse("distill+qat"), params, dir.resolve("v"), true);
            assertEquals("cache", VariantManifest.read(again.manifest()).steps().get("qat").get("trainedModel"));
        } finally {
            System.clearProperty(TrainedModels.FOLDER_PROPERTY);
        }
    }

    private static Map<String, OnnxMl.TensorProto> byName(OnnxMl.ModelProto m) {
        Map<String, OnnxMl.TensorProto> out = new java.util.HashMap<>();
        m.getGraph().getInitializerList().forEach(t -> out.put(t.getName(), t));
        return out;
    }
}
