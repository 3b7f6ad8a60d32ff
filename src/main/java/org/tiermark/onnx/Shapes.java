package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
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
            return o != null && elemType == o.elemType && Arrays.equals(shape, o.shape);
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

    /**
     * A value info with element type and shape, as the ONNX spec requires of graph inputs and
     * outputs: dimension i is the size seen in the probe run, or an unknown (unnamed) dimension where
     * {@code dynamic[i]}. Unnamed on purpose: naming them after the model's input dimensions
     * ({@code batch_size}, {@code sequence_length}) made ONNX Runtime optimize MiniLM's tail stage
     * differently from the whole model, which is then no longer bit-exact with all optimizations.
     */
    public static OnnxMl.ValueInfoProto declared(String name, Info info, boolean[] dynamic) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (int i = 0; i < info.rank(); i++) {
            shape.addDim(i < dynamic.length && dynamic[i] ? OnnxMl.TensorShapeProto.Dimension.newBuilder()
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(info.shape()[i]));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(info.elemType()).setShape(shape))).build();
    }

    /**
     * Which dimensions of a tensor computed from the graph's inputs are dynamic: dimension i is when
     * the graph input dimension at the same index is not fixed and had the same size in the probe run
     * (batch and sequence run through CNNs and encoders this way). A graph with fixed inputs gives
     * none.
     */
    public static boolean[] dynamicDims(OnnxGraph g, Map<String, Info> shapes, String tensor) {
        Info t = shapes.get(tensor);
        boolean[] out = new boolean[t.rank()];
        for (OnnxMl.ValueInfoProto in : g.inputs().values()) {
            Info probed = shapes.get(in.getName());
            if (probed == null || !in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
                continue;
            }
            List<OnnxMl.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
            for (int i = 0; i < Math.min(dims.size(), Math.min(out.length, probed.rank())); i++) {
                if (!dims.get(i).hasDimValue() && probed.shape()[i] == t.shape()[i]) {
                    out[i] = true;
                }
            }
        }
        return out;
    }
}
