package org.tiermark.train.text;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder with masked mean pooling and a linear head, written as the ONNX graph computes it
 * (Hugging Face's BertModel export plus tiermark's head), so that weights read from the graph
 * ({@link BertWeights}) give the same logits here as in ONNX Runtime. DJL's own transformer blocks do
 * not fit (batch norm where BERT has LayerNorm, another residual). Parameters carry the
 * {@link BertWeights} keys ({@code word}, {@code 0.query.weight}, {@code head.bias}, ...) in ONNX's
 * {@code [in, out]} layout, so loading and exporting are copies. Inputs: {@code input_ids},
 * {@code attention_mask}, {@code token_type_ids} as int64 {@code [batch, sequence]}; output: logits.
 */
public final class BertClassifier extends AbstractBlock {
    private final BertConfig config;
    private final boolean typeEmbeddings;
    private final Map<String, Parameter> byKey = new LinkedHashMap<>();
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private Quantizer quantizer;

    /**
     * Where quantization-aware training hooks fake quantization into the forward pass: the weight of
     * every linear layer and the input every linear layer reads (one input for query, key and value).
     * The residual connections, LayerNorms and attention scores keep the float values, as in sptq's graph.
     */
    public interface Quantizer {
        /**
         * The weight of linear layer {@code layer} ({@code 2.query}, ..., {@code head}) as the forward pass
         * uses it; {@code like} is an activation of the batch, whose manager should own what is computed.
         */
        NDArray weight(String layer, NDArray weight, NDArray like);

        /** The input of linear layer {@code layer} (for query, key and value: {@code N.query}) as it reads it. */
        NDArray input(String layer, NDArray x, boolean training);
    }

    /** A classifier of shape {@code config}, its parameters not yet set (see {@link #load}). */
    public BertClassifier(BertConfig config, long vocabulary, long positions, boolean typeEmbeddings) {
        this.config = config;
        this.typeEmbeddings = typeEmbeddings;
        int h = config.hidden();
        add("word", new Shape(vocabulary, h));
        add("position", new Shape(positions, h));
        if (typeEmbeddings) {
            add("type", new Shape(2, h));
        }
        norm("embeddings.norm");
        for (int l = 0; l < config.layers(); l++) {
            for (String k : List.of("query", "key", "value", "attention.output")) {
                add(l + "." + k + ".weight", new Shape(h, h));
                add(l + "." + k + ".bias", new Shape(h));
            }
            norm(l + ".attention.norm");
            add(l + ".intermediate.weight", new Shape(h, config.ffn()));
            add(l + ".intermediate.bias", new Shape(config.ffn()));
            add(l + ".output.weight", new Shape(config.ffn(), h));
            add(l + ".output.bias", new Shape(h));
            norm(l + ".output.norm");
        }
        add("head.weight", new Shape(config.classes(), h));
        add("head.bias", new Shape(config.classes()));
    }

    /** A classifier of {@code w}'s shape holding its weights. */
    public static BertClassifier of(BertWeights w, NDManager manager) {
        BertClassifier c = new BertClassifier(w.config(), w.shape("word")[0], w.shape("position")[0], w.has("type"));
        for (String key : c.keys()) {
            c.set(key, w.value(key), manager);
        }
        return c;
    }

    private void add(String key, Shape shape) {
        Parameter.Type type = key.endsWith("bias") || key.endsWith("beta") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT;
        // no shape on the builder: DJL takes it from the array set by set(), the only way parameters get values
        byKey.put(key, addParameter(Parameter.builder().setName(key).setType(type).build()));
        shapes.put(key, shape);
    }

    private void norm(String key) {
        add(key + ".gamma", new Shape(config.hidden()));
        add(key + ".beta", new Shape(config.hidden()));
    }

    public BertConfig config() {
        return config;
    }

    public List<String> keys() {
        return List.copyOf(byKey.keySet());
    }

    public Shape shape(String key) {
        return shapes.get(key);
    }

    public Parameter parameter(String key) {
        Parameter p = byKey.get(key);
        if (p == null) {
            throw new IllegalArgumentException("no parameter '" + key + "'");
        }
        return p;
    }

    /** Sets parameter {@code key} to {@code values} (row-major, the parameter's shape), owned by {@code manager}. */
    public void set(String key, float[] values, NDManager manager) {
        Parameter p = parameter(key);
        Shape shape = shapes.get(key);
        if (values.length != shape.size()) {
            throw new IllegalArgumentException(key + ": " + values.length + " values for shape " + shape);
        }
        NDArray a = manager.create(values, shape);
        if (p.isInitialized()) {
            p.getArray().set(a.toFloatArray());
            a.close();
        } else {
            p.setArray(a);
        }
    }

    /** The current values of parameter {@code key}, row-major. */
    public float[] get(String key) {
        return parameter(key).getArray().toFloatArray();
    }

    /** Word, position and token-type embeddings stay as loaded (no gradient, no update). */
    public void freezeEmbeddingTables() {
        for (String k : List.of("word", "position", "type")) {
            if (byKey.containsKey(k)) {
                byKey.get(k).freeze(true);
            }
        }
    }

    /** Runs the forward pass with {@code q}'s fake quantization (null: in float). */
    public void quantizer(Quantizer q) {
        this.quantizer = q;
    }

    /** The classification head stays as loaded. */
    public void freezeHead() {
        byKey.get("head.weight").freeze(true);
        byKey.get("head.bias").freeze(true);
    }

    /** The weight matrices of the encoder's linear layers: what magnitude pruning prunes. */
    public List<String> linearWeights() {
        List<String> out = new ArrayList<>();
        for (String k : byKey.keySet()) {
            if (Character.isDigit(k.charAt(0)) && k.endsWith(".weight")) {
                out.add(k);
            }
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1).toType(DataType.FLOAT32, false);
        Device device = ids.getDevice();
        int h = config.hidden();
        long b = ids.getShape().get(0);
        long s = ids.getShape().get(1);
        NDArrayEx ex = ids.getNDArrayInternal();
        NDArray x = ex.embedding(ids, v(ps, device, training, "word"), SparseFormat.DENSE).singletonOrThrow();
        if (typeEmbeddings) {
            NDArray types = inputs.size() > 2 ? inputs.get(2) : ids.zerosLike();
            x = x.add(ex.embedding(types, v(ps, device, training, "type"), SparseFormat.DENSE).singletonOrThrow());
        }
        x = x.add(v(ps, device, training, "position").get(new NDIndex(":" + s)));
        x = norm(ps, device, training, "embeddings.norm", x);
        // [b, 1, 1, s]: 0 for a token, maskBias for padding, added to every head's scores
        NDArray bias = mask.neg().add(1f).mul(config.maskBias()).reshape(b, 1, 1, s);
        int heads = config.heads();
        int d = h / heads;
        float scale = (float) Math.sqrt(d);
        for (int l = 0; l < config.layers(); l++) {
            NDArray in = input(l + ".query", x, training);
            NDArray q = linear(ps, device, training, l + ".query", in).reshape(b, s, heads, d).transpose(0, 2, 1, 3);
            NDArray k = linear(ps, device, training, l + ".key", in).reshape(b, s, heads, d).transpose(0, 2, 3, 1);
            NDArray v = linear(ps, device, training, l + ".value", in).reshape(b, s, heads, d).transpose(0, 2, 1, 3);
            NDArray scores = q.matMul(k).div(scale).add(bias).softmax(3);
            NDArray context = scores.matMul(v).transpose(0, 2, 1, 3).reshape(b, s, h);
            String out = l + ".attention.output";
            NDArray attended = linear(ps, device, training, out, input(out, context, training)).add(x);
            x = norm(ps, device, training, l + ".attention.norm", attended);
            String up = l + ".intermediate";
            NDArray inner = linear(ps, device, training, up, input(up, x, training)).getNDArrayInternal().gelu();
            String down = l + ".output";
            x = norm(ps, device, training, l + ".output.norm", linear(ps, device, training, down, input(down, inner, training)).add(x));
        }
        NDArray m3 = mask.expandDims(2);
        NDArray count = m3.sum(new int[] {1}).maximum(1e-9f);
        NDArray pooled = x.mul(m3).sum(new int[] {1}).div(count);
        // the head stays float under a quantizer: sptq (version 2) keeps a graph's output layer float, since
        // per-channel int8 zeroed all but the largest of the head's weights (one is 312x the typical one)
        NDArray logits = pooled.matMul(v(ps, device, training, "head.weight").transpose()).add(v(ps, device, training, "head.bias"));
        return new NDList(logits);
    }

    private NDArray input(String layer, NDArray x, boolean training) {
        return quantizer == null ? x : quantizer.input(layer, x, training);
    }

    private NDArray v(ParameterStore ps, Device device, boolean training, String key) {
        return ps.getValue(byKey.get(key), device, training);
    }

    private NDArray linear(ParameterStore ps, Device device, boolean training, String key, NDArray x) {
        NDArray w = v(ps, device, training, key + ".weight");
        if (quantizer != null) {
            w = quantizer.weight(key, w, x);
        }
        return x.matMul(w).add(v(ps, device, training, key + ".bias"));
    }

    private NDArray norm(ParameterStore ps, Device device, boolean training, String key, NDArray x) {
        return x.getNDArrayInternal().layerNorm(x, new Shape(config.hidden()), v(ps, device, training, key + ".gamma"),
                v(ps, device, training, key + ".beta"), config.eps()).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.classes())};
    }

    /** Logits of a batch, inference mode. */
    public float[] logits(NDManager manager, long[] ids, long[] mask, long[] types, int batch, int sequence) {
        try (NDManager m = manager.newSubManager()) {
            Shape shape = new Shape(batch, sequence);
            NDList in = new NDList(m.create(ids, shape), m.create(mask, shape), m.create(types, shape));
            return forward(new ParameterStore(m, false), in, false).singletonOrThrow().toFloatArray();
        }
    }
}
