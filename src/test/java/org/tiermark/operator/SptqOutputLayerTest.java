package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tiermark.onnx.GraphBuilder;

/**
 * sptq keeps the model's output layer in float: a classifier head whose one input weight dwarfs the
 * others loses almost all its other weights to per-channel int8 (minilm-spam's head: 16 points of F1).
 */
class SptqOutputLayerTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** x [1, 8] -> MatMul + bias -> Relu -> Gemm (the head) -> logits [1, 2]. */
    private static OnnxMl.ModelProto classifier(float[] head) {
        GraphBuilder g = new GraphBuilder("head");
        g.inputFloat("x", 1, 8);
        float[] w = new float[64];
        for (int i = 0; i < 8; i++) {
            w[i * 8 + i] = 1f;
        }
        g.initializer("w", w, 8, 8);
        g.initializer("b", new float[8], 8);
        g.matMul("x", "w", "h");
        g.node("Add", List.of("h", "b"), List.of("hb"));
        g.node("Relu", List.of("hb"), List.of("r"));
        g.initializer("wh", head, 2, 8);
        g.initializer("bh", new float[2], 2);
        g.node("Gemm", List.of("r", "wh", "bh"), List.of("logits"), GraphBuilder.Attr.i("transB", 1));
        g.outputFloat("logits", 1, 2);
        return g.build();
    }

    @Test
    void theOutputLayerStaysFloatAndKeepsItsSmallWeights() throws Exception {
        // one weight 300x the others, as the folded standardization of minilm-spam's head makes
        float[] head = new float[16];
        for (int i = 0; i < 8; i++) {
            head[i] = 1f;
            head[8 + i] = -1f;
        }
        head[0] = 300f;
        head[8] = -300f;
        float[] x = {0.001f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f, 0.6f, 0.7f};
        InputSamples calib = InputSamples.ofArrays(Collections.nCopies(10, Map.of("x", x)), Map.of("x", new long[] {1, 8}), "x");
        Sptq.Result r = Sptq.apply(ENV, classifier(head), calib, new Sptq.Params(10, Sptq.Method.MINMAX, 99.9, Set.of()));

        assertEquals(Map.of("MatMul", 1), r.quantizedOps());
        assertTrue(r.floatKept().values().stream().anyMatch(v -> v.contains("output layer")), r.floatKept().toString());
        OnnxMl.TensorProto wh = r.model().getGraph().getInitializerList().stream().filter(t -> t.getName().equals("wh"))
                .findFirst().orElseThrow();
        assertEquals(OnnxMl.TensorProto.DataType.FLOAT.getNumber(), wh.getDataType(), "the head's weight stays float");
        // the head's input is not quantized for a float reader: no Q/DQ and no parameters left for it
        assertFalse(r.model().getGraph().getInitializerList().stream().anyMatch(t -> t.getName().startsWith("r_")),
                "no quantization parameters of the head's input");
    }
}
