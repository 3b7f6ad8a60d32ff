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

    /**
     * A value info with element type and shape, as the ONNX spec requires of graph inputs and
     * outputs: dimension i is symbolic ({@code dimParams[i]}) where that is non-null, else the size
     * seen in the probe run.
     */
    public static OnnxMl.ValueInfoProto declared(String name, Info info, String[] dimParams) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (int i = 0; i < info.rank(); i++) {
            String p = i < dimParams.length ? dimParams[i] : null;
            shape.addDim(p != null ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(p)
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(info.shape()[i]));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(info.elemType()).setShape(shape))).build();
    }

    /**
     * Symbolic dimensions for a tensor computed from the graph's inputs: dimension i is named after
     * the graph input dimension at the same index that is dynamic and had the same size in the probe
     * run ({@code batch}, {@code sequence}): the way batch and sequence run through CNNs and encoders.
     * A tensor of a graph with fixed inputs gets fixed sizes only.
     */
    public static String[] dynamicDims(OnnxGraph g, Map<String, Info> shapes, String tensor) {
        Info t = shapes.get(tensor);
        String[] out = new String[t.rank()];
        for (OnnxMl.ValueInfoProto in : g.inputs().values()) {
            Info probed = shapes.get(in.getName());
            if (probed == null || !in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
                continue;
            }
            List<OnnxMl.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
            for (int i = 0; i < Math.min(dims.size(), Math.min(out.length, probed.rank())); i++) {
                OnnxMl.TensorShapeProto.Dimension d = dims.get(i);
                if (out[i] == null && !d.hasDimValue() && probed.shape()[i] == t.shape()[i]) {
                    out[i] = d.hasDimParam() ? d.getDimParam() : in.getName() + "_dim" + i;
                }
            }
        }
        return out;
    }
}
