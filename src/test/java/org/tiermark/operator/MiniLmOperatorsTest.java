package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.StageChain;
import org.tiermark.onnx.Sessions;

/**
 * The operators on the real all-MiniLM-L6-v2 (unpacked by the build): the partition after the
 * embeddings is exact, and sptq embeddings of held-out real text (src/test/resources/heldout-text.txt,
 * disjoint from the calibration pool) stay within cosine 0.99 of the float model's. Needs the 90 MB
 * model file (tag {@code minilm}; skipped, saying so, when the build has not unpacked it).
 */
@Tag("minilm")
class MiniLmOperatorsTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static Suite suite;
    static VariantStore store;

    @TempDir
    static Path variants;

    @BeforeAll
    static void load() {
        suite = Suite.fromSystemProperty();
        store = new VariantStore(suite.catalog(), variants);
        Assumptions.assumeTrue(Files.isRegularFile(suite.catalog().model("minilm-l6").onnx()),
                "needs the 90 MB all-MiniLM-L6-v2 file unpacked by the build (models/base)");
    }

    @Test
    void partitionAfterTheEmbeddingsIsExact() throws Exception {
        Variant v = store.ensure("minilm-l6", "partition");
        JsonNode m = Json.read(v.manifest(), JsonNode.class);
        assertEquals("/embeddings/LayerNorm/Add_1_output_0", m.path("link").path("tensor").asText());
        // dynamic batch and sequence: the cut's declared shape leaves them open, and the checker agrees
        ValidOnnxTest.findChecker();
        if (ValidOnnxTest.python.isPresent()) {
            for (Path stage : v.stages()) {
                assertEquals("", ValidOnnxTest.check(stage), stage.toString());
            }
        }
        assertEquals(List.of("attention_mask"), List.of(m.path("link").path("passThroughInputs").get(0).asText()));
        assertEquals(0.0, m.path("exactness").path("maxAbsDiff").asDouble());
        assertEquals(0.0, m.path("quality").path("maxAbsDiff").asDouble(), "even with ALL_OPT");
        Catalog.Model model = suite.catalog().model("minilm-l6");
        try (var o = Sessions.options(Sessions.Settings.oneThread());
             OrtSession full = ENV.createSession(model.onnx().toString(), o);
             OrtSession head = ENV.createSession(v.stages().get(0).toString(), o);
             OrtSession tail = ENV.createSession(v.stages().get(1).toString(), o);
             TextPreprocessor pre = new TextPreprocessor(ENV, model.tokenizer(), 32)) {
            for (String text : heldOut().subList(0, 4)) {
                Map<String, OnnxTensor> in = pre.prepare(text.getBytes(StandardCharsets.UTF_8));
                float[] a = StageChain.run(List.of(full), in).get("last_hidden_state");
                float[] b = StageChain.run(List.of(head, tail), in).get("last_hidden_state");
                in.values().forEach(OnnxTensor::close);
                assertArrayEquals(a, b);
            }
        }
        // a second ensure finds the cached variant current and does not rebuild it
        long built = Files.getLastModifiedTime(v.manifest()).toMillis();
        store.ensure("minilm-l6", "partition");
        assertEquals(built, Files.getLastModifiedTime(v.manifest()).toMillis());
    }

    @Test
    void sptqEmbeddingsStayCloseOnHeldOutText() throws Exception {
        Variant v = store.ensure("minilm-l6", "sptq");
        JsonNode m = Json.read(v.manifest(), JsonNode.class);
        assertEquals(36, m.path("fusedOps").path("model.onnx").path("com.microsoft:MatMulIntegerToFloat").asInt(),
                "every weight MatMul runs as an integer kernel");
        assertTrue(m.path("steps").path("sptq").path("floatKept").size() >= 12, "attention score and softmax x V MatMuls stay float");
        Catalog.Model model = suite.catalog().model("minilm-l6");
        List<String> texts = heldOut();
        for (int tokens : new int[] {32, 128}) {
            double sum = 0;
            try (var o = Sessions.options(Sessions.Settings.oneThread());
                 OrtSession fp32 = ENV.createSession(model.onnx().toString(), o);
                 OrtSession int8 = ENV.createSession(v.stages().get(0).toString(), o);
                 TextPreprocessor pre = new TextPreprocessor(ENV, model.tokenizer(), tokens)) {
                for (String text : texts) {
                    Map<String, OnnxTensor> in = pre.prepare(text.getBytes(StandardCharsets.UTF_8));
                    long[] mask = new long[tokens];
                    in.get("attention_mask").getLongBuffer().get(mask);
                    float[] a = meanPool(StageChain.run(List.of(fp32), in).get("last_hidden_state"), mask);
                    float[] b = meanPool(StageChain.run(List.of(int8), in).get("last_hidden_state"), mask);
                    in.values().forEach(OnnxTensor::close);
                    sum += cosine(a, b);
                }
            }
            double mean = sum / texts.size();
            assertTrue(mean >= 0.99, "mean cosine at " + tokens + " tokens: " + mean);
        }
    }

    static List<String> heldOut() throws Exception {
        Path p = Path.of(MiniLmOperatorsTest.class.getResource("/heldout-text.txt").toURI());
        return Files.readAllLines(p, StandardCharsets.UTF_8).stream().filter(s -> !s.isBlank()).toList();
    }

    /** Sentence embedding as sentence-transformers makes it: the mean of the token states under the mask. */
    static float[] meanPool(float[] states, long[] mask) {
        int dim = states.length / mask.length;
        float[] e = new float[dim];
        for (int t = 0; t < mask.length; t++) {
            if (mask[t] == 1) {
                for (int k = 0; k < dim; k++) {
                    e[k] += states[t * dim + k];
                }
            }
        }
        return e;
    }

    static double cosine(float[] a, float[] b) {
        double d = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            d += (double) a[k] * b[k];
            na += (double) a[k] * a[k];
            nb += (double) b[k] * b[k];
        }
        return d / Math.sqrt(na * nb);
    }
}
