package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tiermark.InvalidInputException;
import static org.tiermark.onnx.GraphBuilder.nodeProto;

import org.tiermark.onnx.GraphBuilder.Attr;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.OpsetUpgrade;
import org.tiermark.onnx.OrtRuns;
import org.tiermark.onnx.Tensors;
import java.util.Locale;

/**
 * Static post-training quantization to the QDQ format, the way ONNX Runtime fuses it into integer
 * kernels: weights int8 symmetric per output channel, activations uint8 asymmetric per tensor from
 * calibration ranges, biases int32 with scale {@code x_scale * w_scale}, a Relu folded into the
 * QuantizeLinear after it (its range starts at 0), one QuantizeLinear per activation shared by all
 * its consumers. Conv, Gemm and MatMul with constant weights are quantized; Add, pooling and Concat
 * when their inputs are; pass-through ops (Flatten, Reshape, Transpose, MaxPool) share their input's
 * parameters. MatMuls of two activations (attention scores, softmax x V) stay in float: quantizing
 * them costs accuracy and, with their small K, time. MatMul outputs are not quantized either: the
 * bias Add after them is fused by ONNX Runtime into MatMulIntegerToFloat with float output. The
 * model's output layer (a Gemm or MatMul whose result, after its bias Add, is a graph output: the
 * classifier head) stays in float too: its error reaches the outputs with no later layer to average
 * it out, and it holds a negligible share of the multiply-adds. On minilm-spam its int8 weights alone
 * cost 16 points of F1: the head's folded standardization gives one input 312x the typical weight, so
 * per-channel int8 rounds most of the others to 0 (docs/operators.md).
 * Longer than 400 lines on purpose: plan, calibration and rewrite share the plan's private state
 * and are one algorithm read top to bottom; split, each part would only make sense with the others.
 */
public final class Sptq {
    /** How activation ranges are taken from calibration. */
    public enum Method {
        MINMAX, PERCENTILE;

        public static Method parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "minmax", "min-max", "min_max" -> MINMAX;
                case "percentile" -> PERCENTILE;
                default -> throw new InvalidInputException("unknown sptq.calibration.method '" + s + "'; valid: minmax, percentile");
            };
        }
    }

    /**
     * @param samples        calibration samples (>= {@link #MIN_SAMPLES})
     * @param method         min/max or percentile ranges
     * @param percentile     for {@code PERCENTILE}: the kept share of values, e.g. 99.99
     * @param forceQuantize  activation tensors to quantize even if no quantized op reads them (a partition cut)
     */
    public record Params(int samples, Method method, double percentile, Set<String> forceQuantize) {
        public static final int MIN_SAMPLES = 10;

        public Params {
            if (samples < MIN_SAMPLES) {
                throw new InvalidInputException("sptq.calibration.samples: at least " + MIN_SAMPLES
                        + " calibration samples are needed for stable ranges (got " + samples + ")");
            }
            if (!(percentile > 50 && percentile <= 100)) {
                throw new InvalidInputException("sptq.calibration.percentile: must be in (50, 100] (got " + percentile + ")");
            }
            forceQuantize = Set.copyOf(forceQuantize);
        }

        public static Params defaults() {
            return new Params(100, Method.MINMAX, 99.999, Set.of());
        }
    }

    /** The quantized model and what stayed in float (node name -> reason). */
    public record Result(OnnxMl.ModelProto model, Map<String, String> floatKept, Map<String, Integer> quantizedOps,
                         String calibration) {}

    /** The name of the uint8 tensor that carries {@code tensor} once quantized. */
    public static String quantizedName(String tensor) {
        return tensor + "_quantized";
    }

    static String dequantizedName(String tensor) {
        return tensor + "_dequantized";
    }

    private static final Set<String> PASS_THROUGH = Set.of("Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "MaxPool");
    private static final Set<String> OWN_RANGE_POOLS = Set.of("AveragePool", "GlobalAveragePool");
    private static final String OUTPUT_LAYER = "the model's output layer (its result is a graph output): kept in float, "
            + "its error reaches the outputs directly and it holds a negligible share of the multiply-adds";

    private Sptq() {}

    public static Result apply(OrtEnvironment env, OnnxMl.ModelProto source, InputSamples calibration, Params p)
            throws OrtException {
        InputSamples calib = calibration.first(p.samples(), "sptq.calibration.samples");
        OnnxMl.ModelProto model = OpsetUpgrade.toAtLeast13(OnnxModels.constantsToInitializers(source),
                ranks(env, source, calib));
        OnnxGraph g = new OnnxGraph(model);
        Plan plan = plan(g, p.forceQuantize());
        if (plan.weights.isEmpty()) {
            throw new InvalidInputException("sptq: the model has no Conv, Gemm or MatMul with constant float weights: "
                    + "nothing to quantize (float kept: " + plan.floatKept + ")");
        }
        Map<String, float[]> ranges = calibrate(env, model, plan.rangeOwners(), calib, p);
        return new Result(rewrite(g, plan, ranges), plan.floatKept, plan.quantizedOps, calib.description()
                + ", " + p.method().name().toLowerCase(Locale.ROOT)
                + (p.method() == Method.PERCENTILE ? " " + p.percentile() : ""));
    }

    /**
     * The {@code [min, max]} ranges {@link #apply} calibrates for {@code source} (one per tensor of
     * {@link #rangeTensors}): the starting point of quantization-aware training, which then begins
     * from exactly the model sptq would export.
     */
    public static Map<String, float[]> calibratedRanges(OrtEnvironment env, OnnxMl.ModelProto source,
                                                        InputSamples calibration, Params p) throws OrtException {
        InputSamples calib = calibration.first(p.samples(), "sptq.calibration.samples");
        OnnxMl.ModelProto model = OpsetUpgrade.toAtLeast13(OnnxModels.constantsToInitializers(source),
                ranks(env, source, calib));
        Plan plan = plan(new OnnxGraph(model), p.forceQuantize());
        return calibrate(env, model, plan.rangeOwners(), calib, p);
    }

    /**
     * The activation tensors of {@code source} whose ranges sptq's rewrite needs (one per shared
     * quantization parameter): what quantization-aware training must learn. {@code source} must already
     * be opset 13 or later with its constants as initializers (as tiermark's own exports are).
     */
    public static List<String> rangeTensors(OnnxMl.ModelProto source, Set<String> forceQuantize) {
        return plan(new OnnxGraph(source), forceQuantize).rangeOwners();
    }

    /**
     * sptq's QDQ rewrite of {@code source} with activation ranges given (learned in quantization-aware
     * training) instead of calibrated: the same plan, weight quantization and fusion-friendly layout.
     */
    public static Result applyWithRanges(OnnxMl.ModelProto source, Map<String, float[]> ranges, Set<String> forceQuantize) {
        OnnxGraph g = new OnnxGraph(source);
        Plan plan = plan(g, forceQuantize);
        for (String t : plan.rangeOwners()) {
            float[] r = ranges.get(t);
            if (r == null || r.length != 2 || !(r[0] <= r[1])) {
                throw new InvalidInputException("sptq: no valid [min, max] range given for tensor '" + t + "' (needed: "
                        + plan.rangeOwners() + ")");
            }
        }
        return new Result(rewrite(g, plan, ranges), plan.floatKept, plan.quantizedOps, "given ranges of "
                + plan.rangeOwners().size() + " tensors");
    }

    /** Ranks of the tensors the opset upgrade asks about, from one probe run of the first sample. */
    static Map<String, Integer> ranks(OrtEnvironment env, OnnxMl.ModelProto model, InputSamples samples) throws OrtException {
        List<String> wanted = OpsetUpgrade.softmaxInputsNeedingRank(model);
        Map<String, Integer> ranks = new HashMap<>();
        if (wanted.isEmpty()) {
            return ranks;
        }
        try (var options = OrtRuns.probeOptions();
             OrtSession s = OrtRuns.session(env, OnnxGraph.withOutputs(model, wanted), options, "rank probe")) {
            Map<String, OnnxTensor> in = samples.get(env, 0);
            try {
                OrtRuns.probe(env, s, in, wanted, (name, value) -> ranks.put(name, value.getInfo().getShape().length));
            } finally {
                in.values().forEach(OnnxTensor::close);
            }
        }
        return ranks;
    }

    /** Which tensors get Q/DQ, which share parameters with another, which weights are quantized on which axis. */
    static final class Plan {
        final Set<String> quantized = new LinkedHashSet<>();
        final Map<String, String> sharesWith = new HashMap<>();
        /** node index -> [weight input index, axis] */
        final Map<Integer, int[]> weights = new LinkedHashMap<>();
        final Map<String, String> floatKept = new LinkedHashMap<>();
        final Map<String, Integer> quantizedOps = new TreeMap<>();
        /** nodes that read the dequantized tensors (the quantized ops); other readers keep the float tensor */
        final Set<Integer> readers = new HashSet<>();
        /** MatMul node index -> index of the bias Add folded into MatMulIntegerToFloat */
        final Map<Integer, Integer> biasAdds = new LinkedHashMap<>();
        final Set<String> forced = new HashSet<>();

        List<String> rangeOwners() {
            return quantized.stream().filter(t -> !sharesWith.containsKey(t)).toList();
        }

        String owner(String t) {
            String o = t;
            while (sharesWith.containsKey(o)) {
                o = sharesWith.get(o);
            }
            return o;
        }
    }

    static Plan plan(OnnxGraph g, Set<String> force) {
        Plan plan = new Plan();
        for (String t : force) {
            if (!g.hasTensor(t) || g.isInitializer(t)) {
                throw new InvalidInputException("sptq: cannot quantize tensor '" + t + "': not an activation of the model");
            }
        }
        for (int i = 0; i < g.nodes().size(); i++) {
            OnnxMl.NodeProto n = g.node(i);
            String op = n.getOpType();
            if (!n.getDomain().isEmpty()) {
                continue;
            }
            switch (op) {
                case "Conv" -> {
                    if (n.getInputCount() < 2 || !g.isInitializer(n.getInput(1)) || !isFloat(g, n.getInput(1))) {
                        plan.floatKept.put(n.getName(), "Conv with a non-constant weight");
                        continue;
                    }
                    activation(g, plan, n.getInput(0));
                    plan.quantized.add(postActivation(g, n.getOutput(0)));
                    plan.weights.put(i, new int[] {1, 0});
                    plan.readers.add(i);
                    plan.quantizedOps.merge(op, 1, Integer::sum);
                }
                case "Gemm" -> {
                    if (!g.isInitializer(n.getInput(1)) || OnnxGraph.intAttr(n, "transA", 0) != 0
                            || OnnxGraph.floatAttr(n, "alpha", 1f) != 1f || OnnxGraph.floatAttr(n, "beta", 1f) != 1f) {
                        plan.floatKept.put(n.getName(), "Gemm with a non-constant weight, transA or alpha/beta != 1");
                        continue;
                    }
                    if (g.outputs().containsKey(n.getOutput(0))) {
                        plan.floatKept.put(n.getName(), OUTPUT_LAYER);
                        continue;
                    }
                    activation(g, plan, n.getInput(0));
                    plan.weights.put(i, new int[] {1, OnnxGraph.intAttr(n, "transB", 0) == 1 ? 0 : 1});
                    plan.readers.add(i);
                    plan.quantizedOps.merge(op, 1, Integer::sum);
                }
                case "MatMul" -> {
                    String b = n.getInput(1);
                    if (!g.isInitializer(b) || g.initializers().get(b).getDimsCount() != 2 || !isFloat(g, b)) {
                        plan.floatKept.put(n.getName(), "MatMul of two activations (e.g. attention scores): "
                                + "kept in float, quantizing it costs accuracy and time");
                        continue;
                    }
                    int add = biasAdd(g, n, g.initializers().get(b).getDims(1));
                    if (g.outputs().containsKey(n.getOutput(0)) || add >= 0 && g.outputs().containsKey(g.node(add).getOutput(0))) {
                        plan.floatKept.put(n.getName(), OUTPUT_LAYER);
                        continue;
                    }
                    activation(g, plan, n.getInput(0));
                    plan.weights.put(i, new int[] {1, 1});
                    plan.readers.add(i);
                    plan.quantizedOps.merge(op, 1, Integer::sum);
                    if (add >= 0) {
                        plan.biasAdds.put(i, add);
                    }
                }
                case "Add", "Concat" -> {
                    boolean all = n.getInputCount() >= 2;
                    for (String in : n.getInputList()) {
                        all &= plan.quantized.contains(in);
                    }
                    if (all) {
                        plan.readers.add(i);
                        plan.quantized.add(postActivation(g, n.getOutput(0)));
                        plan.quantizedOps.merge(op, 1, Integer::sum);
                    }
                }
                default -> {
                    // MaxPool with its optional indices output has no quantized form
                    if (PASS_THROUGH.contains(op) && plan.quantized.contains(n.getInput(0))
                            && (!op.equals("MaxPool") || n.getOutputCount() == 1)) {
                        String out = n.getOutput(0);
                        plan.quantized.add(out);
                        plan.sharesWith.put(out, n.getInput(0));
                        plan.readers.add(i);
                        plan.quantizedOps.merge(op, 1, Integer::sum);
                    } else if (OWN_RANGE_POOLS.contains(op) && plan.quantized.contains(n.getInput(0))) {
                        plan.quantized.add(n.getOutput(0));
                        plan.readers.add(i);
                        plan.quantizedOps.merge(op, 1, Integer::sum);
                    }
                }
            }
        }
        for (String t : force) {
            plan.quantized.add(t);
            plan.sharesWith.remove(t);
            plan.forced.add(t);
        }
        // graph inputs of integer type (token ids) are never activations to quantize
        plan.quantized.removeIf(t -> !isFloatTensor(g, t));
        return plan;
    }

    /**
     * The Add reading only {@code matMul}'s output and a constant 1-D bias of {@code n} values, or -1.
     * Such an Add is folded into MatMulIntegerToFloat's bias input: ONNX Runtime does not fuse it from
     * QDQ, and a separate float Add over [s, n] costs as much as the integer kernel saves on small models.
     */
    private static int biasAdd(OnnxGraph g, OnnxMl.NodeProto matMul, long n) {
        List<Integer> readers = g.consumers(matMul.getOutput(0));
        if (readers.size() != 1 || g.outputs().containsKey(matMul.getOutput(0))) {
            return -1;
        }
        OnnxMl.NodeProto add = g.node(readers.get(0));
        if (!add.getOpType().equals("Add") || add.getInputCount() != 2) {
            return -1;
        }
        String other = add.getInput(0).equals(matMul.getOutput(0)) ? add.getInput(1) : add.getInput(0);
        OnnxMl.TensorProto b = g.initializers().get(other);
        if (b == null || b.getDimsCount() != 1 || b.getDims(0) != n || !isFloat(g, other)) {
            return -1;
        }
        return readers.get(0);
    }

    private static void activation(OnnxGraph g, Plan plan, String tensor) {
        if (!g.isInitializer(tensor)) {
            plan.quantized.add(tensor);
        }
    }

    /** The Relu output when {@code t}'s only reader is a Relu: quantizing there folds the Relu into Q. */
    private static String postActivation(OnnxGraph g, String t) {
        List<Integer> readers = g.consumers(t);
        if (readers.size() == 1 && g.node(readers.get(0)).getOpType().equals("Relu") && !g.outputs().containsKey(t)) {
            return g.node(readers.get(0)).getOutput(0);
        }
        return t;
    }

    private static boolean isFloat(OnnxGraph g, String initializer) {
        return g.initializers().get(initializer).getDataType() == OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    }

    /** Whether a tensor is float, as far as the graph tells (integer graph inputs are not). */
    private static boolean isFloatTensor(OnnxGraph g, String t) {
        OnnxMl.ValueInfoProto v = g.valueInfo(t);
        if (v == null || !v.getType().hasTensorType()) {
            return true;
        }
        return v.getType().getTensorType().getElemType() == OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    }

    /** Runs the calibration samples and returns [min, max] per tensor. */
    static Map<String, float[]> calibrate(OrtEnvironment env, OnnxMl.ModelProto model, List<String> tensors,
                                          InputSamples calib, Params p) throws OrtException {
        Map<String, float[]> minMax = new HashMap<>();
        Map<String, Reservoir> reservoirs = new HashMap<>();
        List<String> probe = new ArrayList<>(tensors);
        try (var options = OrtRuns.probeOptions();
             OrtSession s = OrtRuns.session(env, OnnxGraph.withOutputs(model, probe), options, "sptq calibration model")) {
            for (int i = 0; i < calib.size(); i++) {
                Map<String, OnnxTensor> in = calib.get(env, i);
                try {
                    OrtRuns.probe(env, s, in, probe, (name, value) -> {
                        FloatBuffer fb = value.getFloatBuffer();
                        if (fb == null) {
                            throw new InvalidInputException("sptq: tensor '" + name + "' is not float ("
                                    + value.getInfo().type + "): it cannot be quantized to uint8");
                        }
                        float mn = Float.POSITIVE_INFINITY;
                        float mx = Float.NEGATIVE_INFINITY;
                        for (int k = fb.position(); k < fb.limit(); k++) {
                            float v = fb.get(k);
                            mn = Math.min(mn, v);
                            mx = Math.max(mx, v);
                        }
                        float[] r = minMax.computeIfAbsent(name, k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
                        r[0] = Math.min(r[0], mn);
                        r[1] = Math.max(r[1], mx);
                        if (p.method() == Method.PERCENTILE) {
                            reservoirs.computeIfAbsent(name, k -> new Reservoir()).add(fb);
                        }
                    });
                } finally {
                    in.values().forEach(OnnxTensor::close);
                }
            }
        }
        for (String t : tensors) {
            if (!minMax.containsKey(t)) {
                throw new IllegalStateException("sptq: calibration produced no values for tensor '" + t + "'");
            }
        }
        if (p.method() == Method.PERCENTILE) {
            for (Map.Entry<String, Reservoir> e : reservoirs.entrySet()) {
                float[] r = e.getValue().range(p.percentile());
                float[] mm = minMax.get(e.getKey());
                // a Relu output keeps its exact 0 lower bound: it decides whether the Relu folds
                minMax.put(e.getKey(), new float[] {mm[0] >= 0 ? mm[0] : r[0], r[1]});
            }
        }
        return minMax;
    }

    /** An evenly strided sample of a tensor's values over all calibration runs, for percentiles. */
    static final class Reservoir {
        private static final int PER_RUN = 1 << 14;
        private float[] values = new float[0];
        private int size;

        void add(FloatBuffer fb) {
            int n = fb.limit() - fb.position();
            int step = Math.max(1, n / PER_RUN);
            int take = (n + step - 1) / step;
            if (size + take > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + take));
            }
            for (int k = fb.position(); k < fb.limit(); k += step) {
                values[size++] = fb.get(k);
            }
        }

        float[] range(double percentile) {
            float[] v = Arrays.copyOf(values, size);
            Arrays.sort(v);
            int lo = (int) Math.floor((100 - percentile) / 100 * (size - 1));
            int hi = (int) Math.ceil(percentile / 100 * (size - 1));
            return new float[] {v[lo], v[hi]};
        }
    }

    /** uint8 asymmetric parameters covering [min, max] and 0. */
    static float[] uint8Params(float[] range) {
        float lo = Math.min(range[0], 0f);
        float hi = Math.max(range[1], 0f);
        float scale = (hi - lo) / 255f;
        if (!(scale > 0) || !Float.isFinite(scale)) {
            return new float[] {1f, 0f};
        }
        float zp = Math.round(-lo / scale);
        return new float[] {scale, Math.max(0, Math.min(255, zp))};
    }

    static OnnxMl.ModelProto rewrite(OnnxGraph g, Plan plan, Map<String, float[]> ranges) {
        OnnxMl.GraphProto.Builder out = g.model().getGraph().toBuilder().clearNode().clearInitializer();
        Map<String, OnnxMl.TensorProto> inits = new LinkedHashMap<>(g.initializers());
        Set<String> replacedWeights = new HashSet<>();
        Map<String, float[]> params = new HashMap<>();
        for (String t : plan.quantized) {
            float[] qp = uint8Params(ranges.get(plan.owner(t)));
            params.put(t, qp);
        }
        List<OnnxMl.NodeProto> added = new ArrayList<>();
        for (String t : plan.quantized) {
            float[] qp = params.get(t);
            String scale = t + "_scale";
            String zp = t + "_zero_point";
            inits.put(scale, Tensors.floatScalar(scale, qp[0]));
            inits.put(zp, Tensors.uint8Scalar(zp, (int) qp[1]));
            added.add(nodeProto("QuantizeLinear", t + "_QuantizeLinear", List.of(t, scale, zp), List.of(quantizedName(t))));
            added.add(nodeProto("DequantizeLinear", t + "_DequantizeLinear", List.of(quantizedName(t), scale, zp),
                    List.of(dequantizedName(t))));
        }
        List<OnnxMl.NodeProto> nodes = new ArrayList<>(added);
        for (int i = 0; i < g.nodes().size(); i++) {
            OnnxMl.NodeProto n = g.node(i);
            OnnxMl.NodeProto.Builder nb = n.toBuilder();
            if (plan.biasAdds.containsValue(i)) {
                continue;
            }
            if (plan.biasAdds.containsKey(i)) {
                nodes.add(matMulIntegerToFloat(n, g.node(plan.biasAdds.get(i)), inits, replacedWeights));
                continue;
            }
            for (int k = 0; k < n.getInputCount(); k++) {
                String in = n.getInput(k);
                if (plan.quantized.contains(in) && (plan.readers.contains(i) || plan.forced.contains(in))) {
                    nb.setInput(k, dequantizedName(n.getInput(k)));
                }
            }
            int[] w = plan.weights.get(i);
            if (w != null) {
                String x = n.getInput(0);
                float xScale = params.containsKey(x) ? params.get(x)[0] : Float.NaN;
                quantizeWeight(n, w[0], w[1], xScale, inits, nb, nodes, replacedWeights);
            }
            nodes.add(nb.build());
        }
        dropUnread(nodes, g);
        // the parameters of dropped Q/DQ pairs (e.g. before a float output layer) go with them
        Set<String> read = new HashSet<>();
        nodes.forEach(n -> read.addAll(n.getInputList()));
        for (String t : plan.quantized) {
            if (!read.contains(t + "_scale")) {
                inits.remove(t + "_scale");
                inits.remove(t + "_zero_point");
            }
        }
        replacedWeights.forEach(inits::remove);
        out.addAllNode(OnnxGraph.topologicalOrder(nodes, inits.keySet(), g.inputs().keySet()));
        out.addAllInitializer(inits.values());
        // graph inputs list initializers in old IRs: drop those that no longer exist
        List<OnnxMl.ValueInfoProto> inputs = new ArrayList<>(out.getInputList());
        out.clearInput();
        for (OnnxMl.ValueInfoProto v : inputs) {
            if (!replacedWeights.contains(v.getName())) {
                out.addInput(v);
            }
        }
        OnnxMl.ModelProto.Builder m = g.model().toBuilder().setGraph(out);
        boolean hasMs = m.getOpsetImportList().stream().anyMatch(o -> o.getDomain().equals("com.microsoft"));
        if (!plan.biasAdds.isEmpty() && !hasMs) {
            m.addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1));
        }
        return m.build();
    }

    /** Removes Q/DQ nodes nothing reads: ONNX Runtime would still run them. */
    private static void dropUnread(List<OnnxMl.NodeProto> nodes, OnnxGraph g) {
        boolean changed = true;
        while (changed) {
            Set<String> read = new HashSet<>(g.outputs().keySet());
            for (OnnxMl.NodeProto n : nodes) {
                read.addAll(n.getInputList());
            }
            changed = nodes.removeIf(n -> (n.getOpType().equals("DequantizeLinear") || n.getOpType().equals("QuantizeLinear"))
                    && !read.contains(n.getOutput(0)));
        }
    }

    /**
     * MatMul + bias Add as one {@code com.microsoft:MatMulIntegerToFloat}: uint8 activation from the
     * shared QuantizeLinear, int8 per-column weight, float bias and output.
     */
    private static OnnxMl.NodeProto matMulIntegerToFloat(OnnxMl.NodeProto matMul, OnnxMl.NodeProto add,
                                                         Map<String, OnnxMl.TensorProto> inits, Set<String> replaced) {
        String x = matMul.getInput(0);
        String wName = matMul.getInput(1);
        String bias = add.getInput(0).equals(matMul.getOutput(0)) ? add.getInput(1) : add.getInput(0);
        if (!inits.containsKey(wName + "_quantized")) {
            OnnxMl.TensorProto w = inits.get(wName);
            long[] shape = Tensors.shape(w);
            // [K, N] weight: one scale per output column (axis 1)
            PerChannel q = perChannelInt8(Tensors.toFloats(w), shape, 1);
            inits.put(wName + "_quantized", Tensors.int8s(wName + "_quantized", q.values(), shape));
            inits.put(wName + "_scale", Tensors.floats(wName + "_scale", q.scales(), q.scales().length));
            inits.put(wName + "_zero_point", Tensors.int8s(wName + "_zero_point", new byte[q.scales().length], q.scales().length));
            inits.remove(wName);
            replaced.add(wName);
        }
        return OnnxMl.NodeProto.newBuilder().setOpType("MatMulIntegerToFloat").setDomain("com.microsoft")
                .setName(matMul.getName() + "_MatMulIntegerToFloat")
                .addAllInput(List.of(quantizedName(x), wName + "_quantized", x + "_scale", wName + "_scale",
                        x + "_zero_point", wName + "_zero_point", bias))
                .addOutput(add.getOutput(0)).build();
    }

    /** int8 values and one symmetric scale per channel along {@code axis}. */
    record PerChannel(byte[] values, float[] scales) {}

    /** Symmetric int8 per channel: scale = max |w| / 127 over the channel (1 for an all-zero channel). */
    static PerChannel perChannelInt8(float[] v, long[] shape, int axis) {
        int channels = (int) shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= (int) shape[d];
        }
        float[] maxAbs = new float[channels];
        for (int k = 0; k < v.length; k++) {
            int c = (k / inner) % channels;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(v[k]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1f;
        }
        byte[] q = new byte[v.length];
        for (int k = 0; k < v.length; k++) {
            int c = (k / inner) % channels;
            q[k] = (byte) Math.max(-127, Math.min(127, Math.round(v[k] / scales[c])));
        }
        return new PerChannel(q, scales);
    }

    /** Replaces a float weight (and bias) by int8 per-channel / int32 initializers behind DequantizeLinear. */
    private static void quantizeWeight(OnnxMl.NodeProto n, int input, int axis, float xScale,
                                       Map<String, OnnxMl.TensorProto> inits, OnnxMl.NodeProto.Builder nb,
                                       List<OnnxMl.NodeProto> nodes, Set<String> replaced) {
        String wName = n.getInput(input);
        OnnxMl.TensorProto w = inits.get(wName);
        if (w == null) {
            // shared by an earlier node and already replaced: reuse its DQ output
            nb.setInput(input, wName + "_dequantized");
            return;
        }
        long[] shape = Tensors.shape(w);
        PerChannel pc = perChannelInt8(Tensors.toFloats(w), shape, axis);
        float[] scales = pc.scales();
        byte[] q = pc.values();
        int channels = scales.length;
        String qName = wName + "_quantized";
        String sName = wName + "_scale";
        String zName = wName + "_zero_point";
        inits.put(qName, Tensors.int8s(qName, q, shape));
        inits.put(sName, Tensors.floats(sName, scales, channels));
        inits.put(zName, Tensors.int8s(zName, new byte[channels], channels));
        nodes.add(nodeProto("DequantizeLinear", wName + "_DequantizeLinear", List.of(qName, sName, zName), List.of(wName + "_dequantized"),
                Attr.i("axis", axis)));
        inits.remove(wName);
        replaced.add(wName);
        nb.setInput(input, wName + "_dequantized");
        // bias: int32 with scale x_scale * w_scale, so that the integer kernel adds it exactly
        if (n.getInputCount() > 2 && !Float.isNaN(xScale) && inits.containsKey(n.getInput(2))) {
            OnnxMl.TensorProto b = inits.get(n.getInput(2));
            if (b.getDimsCount() == 1 && b.getDims(0) == channels && b.getDataType() == OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
                float[] bv = Tensors.toFloats(b);
                int[] bq = new int[channels];
                float[] bs = new float[channels];
                for (int c = 0; c < channels; c++) {
                    bs[c] = xScale * scales[c];
                    bq[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round((double) bv[c] / bs[c])));
                }
                String bn = b.getName();
                inits.put(bn + "_quantized", Tensors.int32s(bn + "_quantized", bq, channels));
                inits.put(bn + "_scale", Tensors.floats(bn + "_scale", bs, channels));
                inits.put(bn + "_zero_point", Tensors.int32s(bn + "_zero_point", new int[channels], channels));
                nodes.add(nodeProto("DequantizeLinear", bn + "_DequantizeLinear",
                        List.of(bn + "_quantized", bn + "_scale", bn + "_zero_point"), List.of(bn + "_dequantized"),
                        Attr.i("axis", 0)));
                inits.remove(bn);
                replaced.add(bn);
                nb.setInput(2, bn + "_dequantized");
            }
        }
    }

}
