package org.tiermark.train;

import ai.djl.ndarray.NDArray;
import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.AtomicFiles;
import org.tiermark.onnx.GraphBuilder;
import org.tiermark.onnx.GraphBuilder.Attr;

/**
 * Writes a trained {@link Network} as an ONNX model (opset 13): every conv+batch-norm pair folded into
 * one Conv with bias, ReLU and Add nodes as in the network, GlobalAveragePool, Flatten and Gemm.
 * The input is {@code image} [batch, 1, H, W]; stage outputs are the tensors {@code layer1..layer4}
 * (the partition operator cuts at these names); the output is {@code logits} [batch, classes].
 */
public final class OnnxExporter {
    public static final String OUTPUT = "logits";

    private OnnxExporter() {}

    /** The ONNX model of {@code net} with its current parameters. */
    public static OnnxMl.ModelProto export(Network net) {
        Architecture a = net.architecture();
        GraphBuilder g = new GraphBuilder(a.name());
        g.inputFloat(FmnistInputs.TENSOR, -1, 1, a.inputSize(), a.inputSize());
        String x = g.relu(convBn(g, net.stem(), FmnistInputs.TENSOR, "stem.conv"), "stem");
        List<List<ResidualUnit>> stages = net.stages();
        for (int s = 0; s < stages.size(); s++) {
            List<ResidualUnit> units = stages.get(s);
            for (int u = 0; u < units.size(); u++) {
                String prefix = Network.stageName(s) + "_" + u;
                String out = Network.unitOutput(s, u, units.size());
                x = residual(g, units.get(u), x, prefix, out);
            }
        }
        String pooled = g.flatten(g.globalAveragePool(x, "pool"), "pool_flat");
        NDArray w = net.head().getParameters().get("weight").getArray();
        NDArray b = net.head().getParameters().get("bias").getArray();
        String wName = g.initializer("fc.weight", w.toFloatArray(), w.getShape().getShape());
        String bName = g.initializer("fc.bias", b.toFloatArray(), b.getShape().getShape());
        g.gemm(pooled, wName, bName, OUTPUT);
        g.outputFloat(OUTPUT, -1, a.classes());
        OnnxMl.ModelProto m = g.build();
        return m.toBuilder()
                .setDocString("tiermark " + a.name() + " trained on Fashion-MNIST with DJL (PyTorch engine), exported by "
                        + "org.tiermark.train.OnnxExporter; batch norm folded into the convolutions")
                .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey("architecture").setValue(a.toString()))
                .build();
    }

    /**
     * Every conv+batch-norm pair of {@code net} under the name of the Conv node the export writes for it
     * ({@code stem.conv}, {@code layer1_0.conv1}, ..., {@code layer2_0.downsample}), in graph order: the
     * names white-box operators record per-layer facts under.
     */
    public static Map<String, ConvBn> convs(Network net) {
        Map<String, ConvBn> out = new LinkedHashMap<>();
        out.put("stem.conv", net.stem());
        List<List<ResidualUnit>> stages = net.stages();
        for (int s = 0; s < stages.size(); s++) {
            for (int u = 0; u < stages.get(s).size(); u++) {
                String prefix = Network.stageName(s) + "_" + u;
                ResidualUnit unit = stages.get(s).get(u);
                List<ConvBn> main = unit.main();
                for (int i = 0; i < main.size(); i++) {
                    out.put(prefix + ".conv" + (i + 1), main.get(i));
                }
                unit.shortcut().ifPresent(c -> out.put(prefix + ".downsample", c));
            }
        }
        return out;
    }

    /** Exports {@code net} to {@code file} atomically; returns the file's size in bytes. */
    public static long write(Network net, Path file) throws IOException {
        byte[] bytes = export(net).toByteArray();
        AtomicFiles.write(file, bytes);
        return bytes.length;
    }

    private static String residual(GraphBuilder g, ResidualUnit unit, String in, String prefix, String out) {
        String x = in;
        List<ConvBn> main = unit.main();
        for (int i = 0; i < main.size(); i++) {
            x = convBn(g, main.get(i), x, prefix + ".conv" + (i + 1));
            if (i < main.size() - 1) {
                x = g.relu(x, prefix + ".relu" + (i + 1));
            }
        }
        String identity = unit.shortcut().map(c -> convBn(g, c, in, prefix + ".downsample")).orElse(in);
        return g.relu(g.add(x, identity, prefix + ".add"), out);
    }

    /**
     * One Conv whose weights and bias are the convolution folded with its batch norm's running statistics:
     * {@code W' = W * gamma / sqrt(var + eps)}, {@code b' = beta - mean * gamma / sqrt(var + eps)}, in double.
     */
    static String convBn(GraphBuilder g, ConvBn cb, String in, String name) {
        NDArray weight = cb.conv().getParameters().get("weight").getArray();
        float[] w = weight.toFloatArray();
        long[] shape = weight.getShape().getShape();
        var p = cb.norm().getParameters();
        float[] gamma = p.get("gamma").getArray().toFloatArray();
        float[] beta = p.get("beta").getArray().toFloatArray();
        float[] mean = p.get("runningMean").getArray().toFloatArray();
        float[] var = p.get("runningVar").getArray().toFloatArray();
        int out = (int) shape[0];
        int per = w.length / out;
        float[] folded = new float[w.length];
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt(var[o] + (double) ConvBn.EPSILON);
            for (int k = 0; k < per; k++) {
                folded[o * per + k] = (float) (w[o * per + k] * scale);
            }
            bias[o] = (float) (beta[o] - mean[o] * scale);
        }
        String wName = g.initializer(name + ".weight", folded, shape);
        String bName = g.initializer(name + ".bias", bias, out);
        int k = cb.kernel();
        int pad = k / 2;
        return g.node("Conv", List.of(in, wName, bName), List.of(name),
                Attr.ints("kernel_shape", k, k),
                Attr.ints("strides", cb.stride(), cb.stride()),
                Attr.ints("pads", pad, pad, pad, pad),
                Attr.i("group", cb.groups()));
    }
}
