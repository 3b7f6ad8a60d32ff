package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tensor shapes and element types of a whole graph, taken from ONNX Runtime itself: one run of a
 * sample with every tensor requested as an output. Dynamic dimensions take the sample's sizes.
 */
public final class Shapes {
    /** A tensor's element type (ONNX enum) and shape in one run. */
    public record Info(int elemType, long[] shape) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public long bytes() {
            return elements() * Tensors.elementBytes(elemType);
        }

        public int rank() {
            return shape.length;
        }

        public boolean sameShape(Info o) {
            return o != null && elemType == o.elemType && java.util.Arrays.equals(shape, o.shape);
        }
    }

    private Shapes() {}

    public static Map<String, Info> probe(OrtEnvironment env, OnnxGraph g, Map<String, OnnxTensor> sample) throws OrtException {
        Map<String, Info> out = new HashMap<>();
        for (Map.Entry<String, OnnxTensor> e : sample.entrySet()) {
            if (g.inputs().containsKey(e.getKey())) {
                out.put(e.getKey(), info(e.getValue()));
            }
        }
        List<String> tensors = new ArrayList<>(g.producedTensors());
        try (var options = OrtRuns.probeOptions();
             OrtSession s = OrtRuns.session(env, OnnxGraph.withOutputs(g.model(), tensors), options, "shape probe")) {
            OrtRuns.probe(env, s, sample, tensors, (name, value) -> out.put(name, info(value)));
        }
        return out;
    }

    static Info info(OnnxTensor t) {
        return new Info(elemType(t.getInfo().type), t.getInfo().getShape());
    }

    static int elemType(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> OnnxMl.TensorProto.DataType.FLOAT.getNumber();
            case DOUBLE -> OnnxMl.TensorProto.DataType.DOUBLE.getNumber();
            case INT8 -> OnnxMl.TensorProto.DataType.INT8.getNumber();
            case UINT8 -> OnnxMl.TensorProto.DataType.UINT8.getNumber();
            case INT16 -> OnnxMl.TensorProto.DataType.INT16.getNumber();
            case INT32 -> OnnxMl.TensorProto.DataType.INT32.getNumber();
            case INT64 -> OnnxMl.TensorProto.DataType.INT64.getNumber();
            case BOOL -> OnnxMl.TensorProto.DataType.BOOL.getNumber();
            case FLOAT16 -> OnnxMl.TensorProto.DataType.FLOAT16.getNumber();
            case BFLOAT16 -> OnnxMl.TensorProto.DataType.BFLOAT16.getNumber();
            case STRING -> OnnxMl.TensorProto.DataType.STRING.getNumber();
            default -> 0;
        };
    }

    /** A value info with the element type only: a stage input whose dynamic sizes stay open. */
    public static OnnxMl.ValueInfoProto typeOnly(String name, Info info) {
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(info.elemType()))).build();
    }
}
