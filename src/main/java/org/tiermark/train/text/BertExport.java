package org.tiermark.train.text;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.onnx.ClassifierHead;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.Shapes;
import org.tiermark.onnx.Tensors;
import org.tiermark.operator.EarlyExit;

/**
 * Writes a trained {@link BertClassifier} into a copy of the graph it was read from: a shallower
 * student first loses the last layers by the early-exit surgery, then every weight replaces the
 * initializer of the same key (a narrower feed-forward layer changes that initializer's shape). No
 * node or tensor is renamed, so partition's cut after the embeddings and sptq's quantization points
 * apply to the result as to the source.
 */
public final class BertExport {
    private BertExport() {}

    /** The graph of {@code source} (read into {@code names}) carrying {@code trained}'s weights. */
    public static OnnxMl.ModelProto export(OrtEnvironment env, OnnxMl.ModelProto source, BertWeights names,
                                           BertClassifier trained) throws OrtException {
        int drop = names.config().layers() - trained.config().layers();
        if (drop < 0) {
            throw new IllegalArgumentException("the trained model has more layers (" + trained.config().layers()
                    + ") than its source graph (" + names.config().layers() + ")");
        }
        OnnxMl.ModelProto model = drop == 0 ? source : cutLayers(env, source, trained.config().layers());
        Map<String, OnnxMl.TensorProto> replaced = new LinkedHashMap<>();
        for (String key : trained.keys()) {
            String init = names.initializer(key);
            if (init == null) {
                throw new IllegalStateException("no initializer for parameter '" + key + "' in the source graph");
            }
            long[] shape = trained.shape(key).getShape();
            replaced.put(init, Tensors.floats(init, trained.get(key), shape));
        }
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            OnnxMl.TensorProto t = replaced.remove(g.getInitializer(i).getName());
            if (t != null) {
                g.setInitializer(i, t);
            }
        }
        if (!replaced.isEmpty()) {
            // the weight of a cut layer would silently be lost: the layer mapping is wrong
            throw new IllegalStateException("initializers not in the exported graph: " + replaced.keySet());
        }
        if (trained.config().ffn() != names.config().ffn()) {
            // declared intermediate shapes (if any) would contradict the narrower feed-forward layers
            g.clearValueInfo();
        }
        return model.toBuilder().setGraph(g).build();
    }

    /**
     * {@code source} with only its first {@code keep} encoder layers, by early-exit's surgery. The exit is
     * chosen by the layer it ends rather than by early-exit's depth, whose blocks need not be the layers
     * (with the pooling head after it, the last layer's output is itself one of the exits).
     */
    static OnnxMl.ModelProto cutLayers(OrtEnvironment env, OnnxMl.ModelProto source, int keep) throws OrtException {
        OnnxGraph g = new OnnxGraph(source);
        Map<String, OnnxTensor> sample = probeInput(env, g.inputs().keySet());
        EarlyExit.Exit all;
        try {
            all = EarlyExit.find(g, Shapes.probe(env, g, sample), 1);
        } finally {
            sample.values().forEach(OnnxTensor::close);
        }
        String layer = "/encoder/layer." + (keep - 1) + "/";
        String exit = all.exits().stream().filter(t -> t.startsWith(layer)).findFirst().orElseThrow(
                () -> new IllegalStateException("early-exit offers no exit after " + layer + ": " + all.exits()));
        // the encoder's output, not early-exit's last feature map: with the pooling head that is the
        // masked product inside the pooling, and wiring the exit there would pool the padding tokens too
        if (!g.hasTensor(ClassifierHead.ENCODER_OUTPUT)) {
            throw new IllegalStateException("the graph has no '" + ClassifierHead.ENCODER_OUTPUT + "' to wire the exit into");
        }
        return EarlyExit.apply(g, new EarlyExit.Exit(ClassifierHead.ENCODER_OUTPUT, exit, all.exits()));
    }

    /** A tiny tokenized input ([1, 8], ids 101..108) for a shape probe: the shapes do not depend on the values. */
    static Map<String, OnnxTensor> probeInput(OrtEnvironment env, Set<String> inputs) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        long[] shape = {1, 8};
        long[] ids = new long[8];
        Arrays.setAll(ids, i -> 101 + i);
        long[] ones = new long[8];
        Arrays.fill(ones, 1);
        in.put(TextPreprocessor.INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
        in.put(TextPreprocessor.ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape));
        if (inputs.contains(TextPreprocessor.TOKEN_TYPE_IDS)) {
            in.put(TextPreprocessor.TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[8]), shape));
        }
        return in;
    }
}
