package org.tiermark.train.text;

import ai.onnx.proto.OnnxMl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Tensors;

/**
 * The weights of a BERT-style sentence classifier read from its ONNX graph (a Hugging Face encoder
 * export plus tiermark's pooling and {@code head/Gemm}), each with the name of the initializer that
 * holds it. The matrices of the linear layers are anonymous ({@code onnx::MatMul_787}, stored
 * {@code [in, out]}), so every weight is found through the node that reads it, e.g.
 * {@code /encoder/layer.3/intermediate/dense/MatMul}; that also gives the export the names to write
 * new values into.
 */
public final class BertWeights {
    /** The linear layers of one encoder layer, by the key a {@link BertClassifier} parameter carries. */
    static final Map<String, String> LINEARS = linears();
    /** The LayerNorms of one encoder layer. */
    static final Map<String, String> NORMS = Map.of("attention.norm", "attention/output/LayerNorm",
            "output.norm", "output/LayerNorm");
    private static final Pattern LAYER = Pattern.compile("^/encoder/layer\\.(\\d+)/");

    private final BertConfig config;
    private final Map<String, float[]> values;
    private final Map<String, long[]> shapes;
    private final Map<String, String> initializers;

    private BertWeights(BertConfig config, Map<String, float[]> values, Map<String, long[]> shapes,
                        Map<String, String> initializers) {
        this.config = config;
        this.values = values;
        this.shapes = shapes;
        this.initializers = initializers;
    }

    private static Map<String, String> linears() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("query", "attention/self/query");
        m.put("key", "attention/self/key");
        m.put("value", "attention/self/value");
        m.put("attention.output", "attention/output/dense");
        m.put("intermediate", "intermediate/dense");
        m.put("output", "output/dense");
        return Map.copyOf(m);
    }

    /** The number of encoder layers of {@code model} (0 when it has none), from its node names alone. */
    public static int layers(OnnxMl.ModelProto model) {
        int layers = 0;
        for (OnnxMl.NodeProto n : model.getGraph().getNodeList()) {
            Matcher m = LAYER.matcher(n.getName());
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        return layers;
    }

    /** Whether {@code model}'s first encoder layer has a feed-forward (intermediate) layer. */
    public static boolean hasFeedForward(OnnxMl.ModelProto model) {
        return model.getGraph().getNodeList().stream()
                .anyMatch(n -> n.getName().equals("/encoder/layer.0/" + LINEARS.get("intermediate") + "/MatMul"));
    }

    /** Reads every weight of {@code model}; refuses a graph that is not a BERT encoder with a classification head. */
    public static BertWeights read(OnnxMl.ModelProto model) {
        OnnxGraph g = new OnnxGraph(OnnxModels.constantsToInitializers(model));
        Map<String, OnnxMl.NodeProto> byName = new LinkedHashMap<>();
        int layers = 0;
        for (OnnxMl.NodeProto n : g.nodes()) {
            byName.put(n.getName(), n);
            Matcher m = LAYER.matcher(n.getName());
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (layers == 0 || !byName.containsKey("head/Gemm")) {
            throw new InvalidInputException("the model is not a BERT encoder with tiermark's classification head: no "
                    + "/encoder/layer.N/ nodes or no head/Gemm (a text classifier composed by the build, e.g. minilm-spam)");
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        Reader r = new Reader(g, byName, values, shapes, names);
        r.input("word", "/embeddings/word_embeddings/Gather", 0);
        r.input("position", "/embeddings/position_embeddings/Gather", 0);
        r.optionalInput("type", "/embeddings/token_type_embeddings/Gather", 0);
        r.norm("embeddings.norm", "/embeddings/LayerNorm");
        for (int l = 0; l < layers; l++) {
            String prefix = "/encoder/layer." + l + "/";
            for (Map.Entry<String, String> e : LINEARS.entrySet()) {
                r.input(l + "." + e.getKey() + ".weight", prefix + e.getValue() + "/MatMul", 1);
                r.initializerInput(l + "." + e.getKey() + ".bias", prefix + e.getValue() + "/Add");
            }
            for (Map.Entry<String, String> e : NORMS.entrySet()) {
                r.norm(l + "." + e.getKey(), prefix + e.getValue());
            }
        }
        r.input("head.weight", "head/Gemm", 1);
        r.input("head.bias", "head/Gemm", 2);

        long[] word = shapes.get("word");
        int hidden = Math.toIntExact(word[1]);
        int ffn = Math.toIntExact(shapes.get("0.intermediate.weight")[1]);
        float scale = r.constantInput("/encoder/layer.0/attention/self/Div");
        int headSize = Math.round(scale * scale);
        if (headSize <= 0 || hidden % headSize != 0) {
            throw new InvalidInputException("attention scale " + scale + " does not give a head size dividing " + hidden);
        }
        float eps = r.constantInput("/embeddings/LayerNorm/Add");
        float maskBias = maskBias(g, byName);
        BertConfig config = new BertConfig(layers, hidden, hidden / headSize, ffn, eps, maskBias,
                Math.toIntExact(shapes.get("head.weight")[0]));
        return new BertWeights(config, values, shapes, names);
    }

    /** The additive attention bias of a padding token: the constant the graph multiplies {@code 1 - mask} by. */
    private static float maskBias(OnnxGraph g, Map<String, OnnxMl.NodeProto> byName) {
        OnnxMl.NodeProto add = byName.get("/encoder/layer.0/attention/self/Add");
        if (add == null) {
            throw new InvalidInputException("no attention-mask Add /encoder/layer.0/attention/self/Add in the graph");
        }
        int p = g.producer(add.getInput(1));
        if (p < 0 || !g.node(p).getOpType().equals("Mul")) {
            throw new InvalidInputException("the attention mask is not (1 - mask) * constant as in Hugging Face's export");
        }
        for (String in : g.node(p).getInputList()) {
            if (g.isInitializer(in)) {
                return Tensors.toFloats(g.initializers().get(in))[0];
            }
        }
        throw new InvalidInputException("the attention-mask Mul has no constant input");
    }

    public BertConfig config() {
        return config;
    }

    /** The weight under {@code key} (e.g. {@code 2.intermediate.weight}, {@code word}), row-major in ONNX's layout. */
    public float[] value(String key) {
        float[] v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no weight '" + key + "'; known: " + values.keySet());
        }
        return v;
    }

    public long[] shape(String key) {
        return shapes.get(key).clone();
    }

    /** The initializer holding {@code key}: where the export writes it. */
    public String initializer(String key) {
        return initializers.get(key);
    }

    public List<String> keys() {
        return List.copyOf(values.keySet());
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Finds weights through the nodes that read them. */
    private record Reader(OnnxGraph g, Map<String, OnnxMl.NodeProto> byName, Map<String, float[]> values,
                          Map<String, long[]> shapes, Map<String, String> names) {
        OnnxMl.NodeProto node(String name) {
            OnnxMl.NodeProto n = byName.get(name);
            if (n == null) {
                throw new InvalidInputException("the BERT graph has no node '" + name + "' (a Hugging Face BertModel export is expected)");
            }
            return n;
        }

        void put(String key, String initializer) {
            OnnxMl.TensorProto t = g.initializers().get(initializer);
            if (t == null) {
                throw new InvalidInputException("'" + initializer + "' (weight " + key + ") is not an initializer");
            }
            values.put(key, Tensors.toFloats(t));
            shapes.put(key, Tensors.shape(t));
            names.put(key, initializer);
        }

        void input(String key, String node, int index) {
            put(key, node(node).getInput(index));
        }

        void optionalInput(String key, String node, int index) {
            if (byName.containsKey(node)) {
                input(key, node, index);
            }
        }

        void initializerInput(String key, String node) {
            for (String in : node(node).getInputList()) {
                if (g.isInitializer(in)) {
                    put(key, in);
                    return;
                }
            }
            throw new InvalidInputException("node '" + node + "' reads no initializer (bias of " + key + ")");
        }

        void norm(String key, String prefix) {
            initializerInput(key + ".gamma", prefix + "/Mul");
            initializerInput(key + ".beta", prefix + "/Add_1");
        }

        float constantInput(String node) {
            for (String in : node(node).getInputList()) {
                if (g.isInitializer(in)) {
                    return Tensors.toFloats(g.initializers().get(in))[0];
                }
            }
            throw new InvalidInputException("node '" + node + "' has no constant input");
        }
    }
}
