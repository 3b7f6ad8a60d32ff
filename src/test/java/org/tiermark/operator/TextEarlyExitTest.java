package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.onnx.Shapes;

/**
 * Early exit on the composed text classifier (encoder, masked mean pooling, head): the exit replaces
 * the encoder's output, not the pooling's masked product, so depth 3 keeps 3 of MiniLM's 6 layers and
 * the padding stays out of the pooling (the same text gives the same logits however much it is padded).
 */
class TextEarlyExitTest {
    static final OrtEnvironment ENV = Sessions.environment();

    @Test
    void exitReplacesTheEncoderOutputAndPaddingIsNotPooled() throws OrtException {
        Catalog.Model m = Suite.fromSystemProperty().catalog().model("minilm-spam");
        Assumptions.assumeTrue(Files.isRegularFile(m.onnx()), "needs minilm-spam composed by the build (models/base)");
        OnnxGraph g = new OnnxGraph(OnnxModels.load(m.onnx()));
        long[] ids = {101, 7592, 2088, 2003, 102};
        Map<String, Shapes.Info> shapes;
        Map<String, OnnxTensor> probe = inputs(g, ids, ids.length);
        try {
            shapes = Shapes.probe(ENV, g, probe);
        } finally {
            probe.values().forEach(OnnxTensor::close);
        }
        EarlyExit.Exit e = EarlyExit.find(g, shapes, 3);
        assertEquals("last_hidden_state", e.finalBlock());
        assertTrue(e.exit().startsWith("/encoder/layer.2/"), "depth 3 of 6 layers exits after layer 2: " + e.exit());
        for (int i = 0; i < 5; i++) {
            assertTrue(e.exits().get(i).startsWith("/encoder/layer." + (4 - i) + "/"), "nearest exits first, the last layer not among them: " + e.exits());
        }
        // no exit inside the embeddings: skipping every layer (a 3-layer student at depth 3) is refused
        assertEquals(5, e.exits().size(), "only layer outputs are exits: " + e.exits());
        Map<String, Shapes.Info> probed = shapes;
        InvalidInputException all = assertThrows(InvalidInputException.class, () -> EarlyExit.find(g, probed, 6));
        assertTrue(all.getMessage().contains("early-exit.depth 6") && all.getMessage().contains("valid: 1..5"), all.getMessage());

        OnnxMl.ModelProto cut = EarlyExit.apply(g, e);
        float[] unpadded = logits(cut, inputs(g, ids, ids.length));
        float[] padded = logits(cut, inputs(g, ids, 16));
        for (int i = 0; i < unpadded.length; i++) {
            assertEquals(unpadded[i], padded[i], 1e-3, "logit " + i + " with 11 padding tokens");
        }
    }

    /** input_ids / attention_mask / token_type_ids of {@code ids} padded with zeros to {@code length}. */
    private static Map<String, OnnxTensor> inputs(OnnxGraph g, long[] ids, int length) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        long[] padded = new long[length];
        long[] mask = new long[length];
        for (int i = 0; i < ids.length; i++) {
            padded[i] = ids[i];
            mask[i] = 1;
        }
        for (String name : g.inputs().keySet()) {
            long[] values = name.contains("mask") ? mask : name.contains("type") ? new long[length] : padded;
            in.put(name, OnnxTensor.createTensor(ENV, new long[][] {values}));
        }
        return in;
    }

    private static float[] logits(OnnxMl.ModelProto model, Map<String, OnnxTensor> in) throws OrtException {
        try (OrtSession.SessionOptions o = Sessions.options(Sessions.Settings.oneThread());
             OrtSession s = ENV.createSession(model.toByteArray(), o);
             OrtSession.Result r = s.run(in)) {
            return ((float[][]) r.get(0).getValue())[0];
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
