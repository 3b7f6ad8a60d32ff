package org.tiermark.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Weights exported as Constant nodes (paddle2onnx does this) become initializers; the graph computes the same. */
class ConstantsToInitializersTest {
    static OnnxMl.ValueInfoProto vec(String name) {
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(OnnxMl.TensorShapeProto.newBuilder()
                                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(4))))).build();
    }

    @Test
    void constantNodesBecomeInitializersWithTheSameResult() throws Exception {
        OnnxMl.TensorProto w = OnnxMl.TensorProto.newBuilder().setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .addDims(4).addFloatData(1).addFloatData(-2).addFloatData(3.5f).addFloatData(0).build();
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName("g").addInput(vec("x")).addOutput(vec("y"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Constant").addOutput("w")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("value")
                                .setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(w)))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").addInput("x").addInput("w").addOutput("y"))
                .build();
        OnnxMl.ModelProto m = OnnxMl.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(11)).setGraph(g).build();
        OnnxMl.ModelProto converted = OnnxModels.constantsToInitializers(m);
        assertEquals(1, converted.getGraph().getNodeCount());
        assertEquals("w", converted.getGraph().getInitializer(0).getName());
        assertArrayEquals(run(m), run(converted));
        assertEquals(m, OnnxModels.constantsToInitializers(OnnxMl.ModelProto.newBuilder(m).setGraph(
                g.toBuilder().removeNode(0).addInitializer(w.toBuilder().setName("w"))).build()).toBuilder()
                .setGraph(g).build(), "a model without Constant nodes is returned as it is");
    }

    static float[] run(OnnxMl.ModelProto m) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(m.toByteArray(), o);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {2, 2, 2, 2}), new long[] {4});
                 OrtSession.Result r = s.run(Map.of("x", x))) {
                return (float[]) r.get(0).getValue();
            }
        }
    }
}
