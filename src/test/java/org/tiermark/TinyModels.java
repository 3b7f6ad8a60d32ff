package org.tiermark;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Minimal ONNX models written in code for runtime tests: element-wise stages over a float vector. */
public final class TinyModels {
    private TinyModels() {}

    /** {@code out = in <op> constant} over a [1, n] float tensor, as an ONNX file. */
    public static Path elementwise(Path file, String op, String in, String out, int n, float constant) throws IOException {
        OnnxMl.TensorProto c = OnnxMl.TensorProto.newBuilder().setName(out + "_c")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(1).addFloatData(constant).build();
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName("tiny")
                .addInput(value(in, n)).addOutput(value(out, n)).addInitializer(c)
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType(op).addInput(in).addInput(out + "_c").addOutput(out))
                .build();
        OnnxMl.ModelProto m = OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("tiermark-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
        Files.write(file, m.toByteArray());
        return file;
    }

    private static OnnxMl.ValueInfoProto value(String name, int n) {
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(OnnxMl.TensorShapeProto.newBuilder()
                                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(1))
                                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(n))))).build();
    }
}
