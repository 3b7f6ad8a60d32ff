package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small builder of ONNX graphs over the raw protobuf classes: inputs, outputs, initializers and
 * nodes (Conv, Gemm, MatMul, Add, Relu, pooling, Flatten, QuantizeLinear/DequantizeLinear, or any
 * other op). Used by tests, the synthetic models and the operators. Node and tensor names must be
 * unique; {@link #fresh} hands out unused ones.
 */
public final class GraphBuilder {
    /** Default opset: 13 has per-channel (axis) DequantizeLinear and is fused well by ONNX Runtime. */
    public static final int DEFAULT_OPSET = 13;

    private final String name;
    private int opset = DEFAULT_OPSET;
    private final List<OnnxMl.ValueInfoProto> inputs = new ArrayList<>();
    private final List<OnnxMl.ValueInfoProto> outputs = new ArrayList<>();
    private final List<OnnxMl.TensorProto> initializers = new ArrayList<>();
    private final List<OnnxMl.NodeProto> nodes = new ArrayList<>();
    private final Map<String, Integer> opsetImports = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private int counter;

    public GraphBuilder(String name) {
        this.name = name;
    }

    /** The default-domain opset the model declares (default {@value #DEFAULT_OPSET}). */
    public GraphBuilder opset(int version) {
        this.opset = version;
        return this;
    }

    /** Declares an extra operator domain, e.g. {@code com.microsoft}. */
    public GraphBuilder domain(String domain, int version) {
        opsetImports.put(domain, version);
        return this;
    }

    /** A name not used yet in this graph, starting with {@code prefix}. */
    public String fresh(String prefix) {
        String n;
        do {
            n = prefix + "_" + (counter++);
        } while (names.contains(n));
        names.add(n);
        return n;
    }

    /** A graph input; a dimension below 1 becomes a symbolic dimension named {@code d<i>}. */
    public GraphBuilder input(String tensor, int elemType, long... shape) {
        names.add(tensor);
        inputs.add(valueInfo(tensor, elemType, shape));
        return this;
    }

    public GraphBuilder inputFloat(String tensor, long... shape) {
        return input(tensor, OnnxMl.TensorProto.DataType.FLOAT.getNumber(), shape);
    }

    /** A graph output; with no shape the shape is left to ONNX Runtime's inference. */
    public GraphBuilder output(String tensor, int elemType, long... shape) {
        outputs.add(valueInfo(tensor, elemType, shape));
        return this;
    }

    public GraphBuilder outputFloat(String tensor, long... shape) {
        return output(tensor, OnnxMl.TensorProto.DataType.FLOAT.getNumber(), shape);
    }

    /** A float initializer of {@code shape} holding {@code values} (row-major). */
    public String initializer(String tensor, float[] values, long... shape) {
        initializers.add(Tensors.floats(tensor, values, shape));
        names.add(tensor);
        return tensor;
    }

    public String initializerInt64(String tensor, long[] values, long... shape) {
        initializers.add(Tensors.int64s(tensor, values, shape));
        names.add(tensor);
        return tensor;
    }

    /** Adds a ready-made initializer. */
    public String initializer(OnnxMl.TensorProto tensor) {
        initializers.add(tensor);
        names.add(tensor.getName());
        return tensor.getName();
    }

    /** Any node; returns its first output. Attributes are made with {@link Attr}. */
    public String node(String opType, List<String> in, List<String> out, OnnxMl.AttributeProto... attributes) {
        return node("", opType, in, out, attributes);
    }

    /** Any node in a domain (e.g. {@code com.microsoft}); returns its first output. */
    public String node(String domain, String opType, List<String> in, List<String> out,
                       OnnxMl.AttributeProto... attributes) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder()
                .setName(fresh(opType))
                .setOpType(opType)
                .addAllInput(in)
                .addAllOutput(out);
        if (!domain.isEmpty()) {
            n.setDomain(domain);
        }
        for (OnnxMl.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        names.addAll(out);
        nodes.add(n.build());
        return out.isEmpty() ? null : out.get(0);
    }

    /** A node proto on its own (for graph rewrites that do not go through a builder); attributes from {@link Attr}. */
    public static OnnxMl.NodeProto nodeProto(String opType, String name, List<String> in, List<String> out,
                                             OnnxMl.AttributeProto... attributes) {
        OnnxMl.NodeProto.Builder b = OnnxMl.NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(in)
                .addAllOutput(out);
        for (OnnxMl.AttributeProto a : attributes) {
            b.addAttribute(a);
        }
        return b.build();
    }

    /** Adds a ready-made node as is. */
    public GraphBuilder node(OnnxMl.NodeProto node) {
        names.add(node.getName());
        names.addAll(node.getOutputList());
        nodes.add(node);
        return this;
    }

    /**
     * Conv with square kernel {@code kernel}, {@code stride} and symmetric padding
     * {@code kernel/2}; {@code bias} may be null.
     */
    public String conv(String x, String weight, String bias, String out, int kernel, int stride) {
        List<String> in = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        int pad = kernel / 2;
        return node("Conv", in, List.of(out),
                Attr.ints("kernel_shape", kernel, kernel),
                Attr.ints("strides", stride, stride),
                Attr.ints("pads", pad, pad, pad, pad));
    }

    /** Gemm {@code x * W^T + b} with W in [N, K] (PyTorch's Linear layout). */
    public String gemm(String x, String weight, String bias, String out) {
        List<String> in = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        return node("Gemm", in, List.of(out), Attr.i("transB", 1));
    }

    public String matMul(String a, String b, String out) {
        return node("MatMul", List.of(a, b), List.of(out));
    }

    public String add(String a, String b, String out) {
        return node("Add", List.of(a, b), List.of(out));
    }

    public String relu(String x, String out) {
        return node("Relu", List.of(x), List.of(out));
    }

    public String maxPool(String x, String out, int kernel, int stride, int pad) {
        return node("MaxPool", List.of(x), List.of(out),
                Attr.ints("kernel_shape", kernel, kernel),
                Attr.ints("strides", stride, stride),
                Attr.ints("pads", pad, pad, pad, pad));
    }

    public String averagePool(String x, String out, int kernel, int stride) {
        return node("AveragePool", List.of(x), List.of(out),
                Attr.ints("kernel_shape", kernel, kernel),
                Attr.ints("strides", stride, stride));
    }

    public String globalAveragePool(String x, String out) {
        return node("GlobalAveragePool", List.of(x), List.of(out));
    }

    public String flatten(String x, String out) {
        return node("Flatten", List.of(x), List.of(out), Attr.i("axis", 1));
    }

    /** QuantizeLinear; {@code zeroPoint} decides the output type (uint8 or int8). */
    public String quantizeLinear(String x, String scale, String zeroPoint, String out) {
        return node("QuantizeLinear", List.of(x, scale, zeroPoint), List.of(out));
    }

    /** DequantizeLinear; {@code axis} is used for per-channel scales, or pass null for per-tensor. */
    public String dequantizeLinear(String x, String scale, String zeroPoint, String out, Integer axis) {
        List<String> in = List.of(x, scale, zeroPoint);
        return axis == null ? node("DequantizeLinear", in, List.of(out))
                : node("DequantizeLinear", in, List.of(out), Attr.i("axis", axis));
    }

    /** The graph alone. */
    public OnnxMl.GraphProto graph() {
        return OnnxMl.GraphProto.newBuilder()
                .setName(name)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .addAllInitializer(initializers)
                .addAllNode(nodes)
                .build();
    }

    /** The model: IR version 8 (what ONNX Runtime 1.x reads for opset 13-17), producer tiermark. */
    public OnnxMl.ModelProto build() {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("tiermark")
                .setGraph(graph())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        opsetImports.forEach((d, v) -> m.addOpsetImport(
                OnnxMl.OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
        return m.build();
    }

    /** A value info (name, element type, shape); a dimension below 1 is symbolic. */
    public static OnnxMl.ValueInfoProto valueInfo(String tensor, int elemType, long... shape) {
        OnnxMl.TypeProto.Tensor.Builder t = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType);
        if (shape != null && shape.length > 0) {
            OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
            for (int i = 0; i < shape.length; i++) {
                OnnxMl.TensorShapeProto.Dimension.Builder d = OnnxMl.TensorShapeProto.Dimension.newBuilder();
                if (shape[i] >= 1) {
                    d.setDimValue(shape[i]);
                } else {
                    d.setDimParam("d" + i);
                }
                s.addDim(d);
            }
            t.setShape(s);
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(tensor)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(t))
                .build();
    }

    /** Node attributes. */
    public static final class Attr {
        private Attr() {}

        public static OnnxMl.AttributeProto i(String name, long value) {
            return OnnxMl.AttributeProto.newBuilder().setName(name)
                    .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build();
        }

        public static OnnxMl.AttributeProto f(String name, float value) {
            return OnnxMl.AttributeProto.newBuilder().setName(name)
                    .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(value).build();
        }

        public static OnnxMl.AttributeProto ints(String name, long... values) {
            OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                    .setType(OnnxMl.AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            return a.build();
        }

        public static OnnxMl.AttributeProto s(String name, String value) {
            return OnnxMl.AttributeProto.newBuilder().setName(name)
                    .setType(OnnxMl.AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(value)).build();
        }
    }

    /** Little-endian raw-data tensors, as ONNX stores them. */
    static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
