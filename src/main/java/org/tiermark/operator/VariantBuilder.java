package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.OrtRuns;
import org.tiermark.onnx.Sessions;
import org.tiermark.onnx.Shapes;

/**
 * Builds a variant: applies an operator's steps to a source model, writes the stage files, checks
 * that ONNX Runtime loads each with all optimizations (recording which integer kernels it fused),
 * compares the variant's outputs with the source model's on held-out inputs, and writes the
 * manifest last, so that a folder with a manifest is always complete.
 */
public final class VariantBuilder {
    /** Bumped when the builder changes what it produces: every cached variant is then rebuilt. */
    public static final int BUILDER_VERSION = 2;

    /** Parameter keys and their defaults (the model descriptor's {@code operatorDefaults} override them). */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("partition.cut", "auto");
        d.put("early-exit.depth", "1");
        d.put("sptq.calibration.samples", "100");
        d.put("sptq.calibration.method", "minmax");
        d.put("sptq.calibration.percentile", "99.999");
        d.put("check.samples", "16");
        return java.util.Collections.unmodifiableMap(d);
    }

    /**
     * What a variant is built from.
     *
     * @param model       the model's name
     * @param onnx        its ONNX file
     * @param calibration samples for sptq calibration (and shape probes)
     * @param heldOut     samples not used for calibration, for the comparison with the source model
     * @param defaults    the model's operator parameters (descriptor {@code operatorDefaults})
     */
    public record Source(String model, Path onnx, Samples calibration, Samples heldOut, Map<String, String> defaults) {
        public Source {
            defaults = Map.copyOf(defaults);
        }
    }

    private VariantBuilder() {}

    /** Key prefixes of the black-box operators built here; other prefixes (prune., qat., ...) belong to others. */
    private static final List<String> OWN_PREFIXES = List.of("sptq.", "partition.", "early-exit.", "check.");

    /**
     * The parameters in effect: builder defaults, then the model's, then {@code overrides}. An unknown
     * key under this builder's prefixes is an error; keys of white-box operators are left to them.
     */
    public static Map<String, String> params(Map<String, String> modelDefaults, Map<String, String> overrides) {
        Map<String, String> p = new TreeMap<>(DEFAULTS);
        for (Map<String, String> m : List.of(modelDefaults, overrides)) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                boolean own = OWN_PREFIXES.stream().anyMatch(e.getKey()::startsWith);
                if (!own && m == modelDefaults) {
                    continue;
                }
                if (!DEFAULTS.containsKey(e.getKey())) {
                    throw new InvalidInputException("unknown operator parameter '" + e.getKey() + "'; valid: "
                            + String.join(", ", DEFAULTS.keySet()));
                }
                p.put(e.getKey(), e.getValue());
            }
        }
        return p;
    }

    /** What decides the variant's content: the operator and the parameters its steps read. */
    public static Map<String, Object> recipe(Operator op, Map<String, String> params) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("operator", op.name());
        r.put("builderVersion", BUILDER_VERSION);
        Map<String, String> used = new TreeMap<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            String k = e.getKey();
            if ((k.startsWith("sptq.") && op.has(Operator.Step.SPTQ))
                    || (k.startsWith("partition.") && op.has(Operator.Step.PARTITION))
                    || (k.startsWith("early-exit.") && op.has(Operator.Step.EARLY_EXIT))
                    || k.startsWith("check.")) {
                used.put(k, e.getValue());
            }
        }
        r.put("params", used);
        return r;
    }

    public static String recipeSha256(Map<String, Object> recipe) {
        try {
            return OnnxModels.sha256(Json.MAPPER.writeValueAsString(recipe));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The variant in {@code folder}, built first when missing or stale (recipe or source changed) or {@code force}. */
    public static Variant ensure(OrtEnvironment env, Source src, Operator op, Map<String, String> overrides, Path folder,
                                 boolean force) throws OrtException, IOException {
        if (op.isIdentity()) {
            return Variant.identity(src.model(), src.onnx());
        }
        String recipeSha = recipeSha256(recipe(op, params(src.defaults(), overrides)));
        if (!force && isCurrent(folder, recipeSha, OnnxModels.sha256(src.onnx()))) {
            List<Path> stages = new ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode s : Json.read(folder.resolve(VariantStore.MANIFEST),
                    com.fasterxml.jackson.databind.JsonNode.class).path("stages")) {
                stages.add(folder.resolve(s.asText()));
            }
            return new Variant(src.model(), op.name(), stages, folder.resolve(VariantStore.MANIFEST));
        }
        return build(env, src, op, overrides, folder);
    }

    /** Whether the manifest in {@code folder} was built from this recipe and source, with all its stage files. */
    static boolean isCurrent(Path folder, String recipeSha, String sourceSha) {
        Path manifest = folder.resolve(VariantStore.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        com.fasterxml.jackson.databind.JsonNode n = Json.read(manifest, com.fasterxml.jackson.databind.JsonNode.class);
        if (!recipeSha.equals(n.path("recipeSha256").asText()) || !sourceSha.equals(n.path("source").path("sha256").asText())) {
            return false;
        }
        for (com.fasterxml.jackson.databind.JsonNode s : n.path("stages")) {
            if (!Files.isRegularFile(folder.resolve(s.asText()))) {
                return false;
            }
        }
        return true;
    }

    /** Builds the variant into {@code folder} (replacing what is there) and returns it. */
    public static Variant build(OrtEnvironment env, Source src, Operator op, Map<String, String> overrides, Path folder)
            throws OrtException, IOException {
        if (op.isIdentity()) {
            return Variant.identity(src.model(), src.onnx());
        }
        long start = System.nanoTime();
        Map<String, String> params = params(src.defaults(), overrides);
        // no manifest while the stage files change: a failed rebuild leaves a variant that is missing, not mixed
        Files.deleteIfExists(folder.resolve(VariantStore.MANIFEST));
        Map<String, Object> recipe = recipe(op, params);
        String sourceSha = OnnxModels.sha256(src.onnx());
        OnnxMl.ModelProto model = OnnxModels.load(src.onnx());
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("model", src.model());
        manifest.put("operator", op.name());
        manifest.put("recipe", recipe);
        manifest.put("recipeSha256", recipeSha256(recipe));
        manifest.put("source", Map.of("file", src.onnx().toString(), "sha256", sourceSha, "bytes", Files.size(src.onnx())));
        Map<String, Object> steps = new LinkedHashMap<>();
        List<OnnxMl.ModelProto> stages = List.of(model);
        Partition.Cut linkCut = null;
        String cutBase = null;
        for (int i = 0; i < op.steps().size(); i++) {
            Operator.Step step = op.steps().get(i);
            OnnxGraph g = new OnnxGraph(model);
            switch (step) {
                case EARLY_EXIT -> {
                    int depth = intParam(params, "early-exit.depth");
                    EarlyExit.Exit exit = EarlyExit.find(g, probe(env, g, src), depth);
                    model = EarlyExit.apply(g, exit);
                    steps.put("early-exit", Map.of("depth", depth, "exit", exit.exit(), "skippedTo", exit.finalBlock(),
                            "possibleExits", exit.exits()));
                }
                case SPTQ -> {
                    Set<String> force = Set.of();
                    if (op.steps().subList(i + 1, op.steps().size()).contains(Operator.Step.PARTITION)) {
                        cutBase = resolveCut(g, probe(env, g, src), params).tensor();
                        force = Set.of(cutBase);
                    }
                    Sptq.Params sp = new Sptq.Params(intParam(params, "sptq.calibration.samples"),
                            Sptq.Method.parse(params.get("sptq.calibration.method")),
                            doubleParam(params, "sptq.calibration.percentile"), force);
                    Sptq.Result r = Sptq.apply(env, model, src.calibration(), sp);
                    model = r.model();
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("calibration", r.calibration());
                    s.put("weights", "int8 symmetric per output channel");
                    s.put("activations", "uint8 asymmetric per tensor");
                    s.put("quantizedOps", r.quantizedOps());
                    s.put("floatKept", r.floatKept());
                    steps.put("sptq", s);
                    manifest.put("calibration", r.calibration());
                    manifest.put("floatKept", r.floatKept());
                }
                case PARTITION -> {
                    Map<String, Shapes.Info> shapes = probe(env, g, src);
                    Partition.Cut cut;
                    if (cutBase != null) {
                        cut = Partition.require(g, Sptq.quantizedName(cutBase), shapes);
                    } else {
                        cut = resolveCut(g, shapes, params);
                    }
                    Partition.Stages st = Partition.split(g, cut, shapes);
                    stages = List.of(st.head(), st.tail());
                    linkCut = cut;
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("cut", cut.tensor());
                    s.put("cutBytes", cut.payloadBytes());
                    s.put("passThroughInputs", cut.passThroughInputs());
                    s.put("passThroughBytes", cut.passThroughBytes());
                    steps.put("partition", s);
                }
            }
        }
        if (stages.size() == 1) {
            stages = List.of(model);
        }
        Files.createDirectories(folder);
        List<String> names = stages.size() == 1 ? List.of("model.onnx") : List.of("head.onnx", "tail.onnx");
        List<Path> files = new ArrayList<>();
        List<Map<String, Object>> details = new ArrayList<>();
        Map<String, Object> fused = new LinkedHashMap<>();
        for (int i = 0; i < stages.size(); i++) {
            Path f = folder.resolve(names.get(i));
            OnnxModels.save(stages.get(i), f);
            files.add(f);
            Map<String, Integer> ops = OrtRuns.optimizedOpCounts(env, f);
            Map<String, Integer> integer = new TreeMap<>();
            ops.forEach((k, v) -> {
                if (isIntegerKernel(k)) {
                    integer.put(k, v);
                }
            });
            fused.put(names.get(i), integer);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("file", names.get(i));
            d.put("bytes", Files.size(f));
            d.put("sha256", OnnxModels.sha256(f));
            d.put("inputs", stages.get(i).getGraph().getInputList().stream().map(OnnxMl.ValueInfoProto::getName).toList());
            d.put("outputs", stages.get(i).getGraph().getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList());
            d.put("nodes", stages.get(i).getGraph().getNodeCount());
            details.add(d);
        }
        manifest.put("stages", names);
        manifest.put("stageFiles", details);
        manifest.put("params", recipe.get("params"));
        manifest.put("steps", steps);
        manifest.put("fusedOps", fused);
        if (linkCut != null) {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("tensor", linkCut.tensor());
            link.put("cutBytes", linkCut.payloadBytes());
            link.put("passThroughInputs", linkCut.passThroughInputs());
            link.put("passThroughBytes", linkCut.passThroughBytes());
            manifest.put("link", link);
        }
        Samples check = src.heldOut().first(Math.min(intParam(params, "check.samples"), src.heldOut().size()), "check.samples");
        Quality q = compare(env, src.onnx(), files, check, OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (!op.has(Operator.Step.SPTQ) && !op.has(Operator.Step.EARLY_EXIT)) {
            // the same operators in the same order must give the same bits; with ALL_OPT ONNX Runtime may
            // pick other kernels or layouts at the cut (a few ulp), which quality records as deployed
            Quality exact = compare(env, src.onnx(), files, check, OrtSession.SessionOptions.OptLevel.BASIC_OPT);
            if (exact.maxAbsDiff() != 0) {
                throw new IllegalStateException(src.model() + "/" + op.name() + ": partitioned stages differ from the model by "
                        + exact.maxAbsDiff() + " (must be exact)");
            }
            manifest.put("exactness", Map.of("optimization", "BASIC_OPT", "maxAbsDiff", exact.maxAbsDiff(),
                    "samples", exact.samples()));
        }
        manifest.put("quality", q);
        manifest.put("buildSeconds", (System.nanoTime() - start) / 1e9);
        manifest.put("builtAt", Instant.now().toString());
        Json.writeAtomically(folder.resolve(VariantStore.MANIFEST), manifest);
        return new Variant(src.model(), op.name(), files, folder.resolve(VariantStore.MANIFEST));
    }

    private static boolean isIntegerKernel(String op) {
        String o = op.contains(":") ? op.substring(op.indexOf(':') + 1) : op;
        return o.startsWith("QLinear") || o.startsWith("Nhwc") || o.equals("QGemm") || o.contains("Integer")
                || o.equals("DynamicQuantizeMatMul") || o.equals("QuantizeLinear") || o.equals("DequantizeLinear")
                || o.equals("QAttention");
    }

    static Partition.Cut resolveCut(OnnxGraph g, Map<String, Shapes.Info> shapes, Map<String, String> params) {
        String cut = params.get("partition.cut");
        return cut == null || cut.isBlank() || cut.equals("auto") ? Partition.defaultCut(g, shapes)
                : Partition.require(g, cut, shapes);
    }

    static Map<String, Shapes.Info> probe(OrtEnvironment env, OnnxGraph g, Source src) throws OrtException {
        Samples s = src.heldOut().size() > 0 ? src.heldOut() : src.calibration();
        Map<String, OnnxTensor> in = s.get(env, 0);
        try {
            return Shapes.probe(env, g, in);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static int intParam(Map<String, String> p, String key) {
        try {
            return Integer.parseInt(p.get(key).trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("operator parameter '" + key + "' must be an integer (got '" + p.get(key) + "')");
        }
    }

    private static double doubleParam(Map<String, String> p, String key) {
        try {
            return Double.parseDouble(p.get(key).trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("operator parameter '" + key + "' must be a number (got '" + p.get(key) + "')");
        }
    }

    /**
     * How close a variant's outputs are to the source model's on held-out inputs.
     *
     * @param samples    held-out inputs compared
     * @param maxAbsDiff largest absolute difference over all outputs
     * @param meanCosine mean over samples and outputs of the cosine similarity of the flattened outputs
     * @param minCosine  the smallest such cosine
     */
    public record Quality(int samples, double maxAbsDiff, double meanCosine, double minCosine) {}

    /** Runs the source model and the variant's stages (chained by tensor names) on the same inputs. */
    public static Quality compare(OrtEnvironment env, Path source, List<Path> stages, Samples heldOut,
                                  OrtSession.SessionOptions.OptLevel level) throws OrtException {
        List<OrtSession> sessions = new ArrayList<>();
        // one thread, as the latency benchmarks run the variants
        try (var o = Sessions.options(Sessions.Settings.oneThread().withLevel(level))) {
            OrtSession full = env.createSession(source.toString(), o);
            sessions.add(full);
            for (Path p : stages) {
                sessions.add(env.createSession(p.toString(), o));
            }
            double max = 0;
            double sum = 0;
            double min = 1;
            int n = 0;
            for (int i = 0; i < heldOut.size(); i++) {
                Map<String, OnnxTensor> in = heldOut.get(env, i);
                try {
                    Map<String, float[]> expected = run(List.of(full), in);
                    Map<String, float[]> actual = run(sessions.subList(1, sessions.size()), in);
                    for (Map.Entry<String, float[]> e : expected.entrySet()) {
                        float[] a = actual.get(e.getKey());
                        float[] b = e.getValue();
                        if (a == null || a.length != b.length) {
                            throw new IllegalStateException("variant output '" + e.getKey() + "' is missing or has another size");
                        }
                        double dot = 0;
                        double na = 0;
                        double nb = 0;
                        for (int k = 0; k < a.length; k++) {
                            max = Math.max(max, Math.abs(a[k] - b[k]));
                            dot += (double) a[k] * b[k];
                            na += (double) a[k] * a[k];
                            nb += (double) b[k] * b[k];
                        }
                        double cos = na == 0 || nb == 0 ? (na == nb ? 1 : 0) : dot / Math.sqrt(na * nb);
                        sum += cos;
                        min = Math.min(min, cos);
                        n++;
                    }
                } finally {
                    in.values().forEach(OnnxTensor::close);
                }
            }
            return new Quality(heldOut.size(), max, n == 0 ? Double.NaN : sum / n, n == 0 ? Double.NaN : min);
        } finally {
            for (OrtSession s : sessions) {
                s.close();
            }
        }
    }

    /** Runs stages in order, each fed by name from the inputs and the earlier stages' outputs; float outputs of the last. */
    public static Map<String, float[]> run(List<OrtSession> stages, Map<String, OnnxTensor> inputs) throws OrtException {
        Map<String, OnnxTensor> available = new LinkedHashMap<>(inputs);
        List<OrtSession.Result> results = new ArrayList<>();
        try {
            Map<String, float[]> last = new LinkedHashMap<>();
            for (int s = 0; s < stages.size(); s++) {
                OrtSession stage = stages.get(s);
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                for (String name : stage.getInputNames()) {
                    OnnxTensor t = available.get(name);
                    if (t == null) {
                        throw new InvalidInputException("stage " + s + " needs input '" + name + "'; available: " + available.keySet());
                    }
                    feed.put(name, t);
                }
                OrtSession.Result r = stage.run(feed);
                results.add(r);
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    available.put(e.getKey(), t);
                    if (s == stages.size() - 1) {
                        FloatBuffer fb = t.getFloatBuffer();
                        if (fb != null) {
                            float[] v = new float[fb.remaining()];
                            fb.get(v);
                            last.put(e.getKey(), v);
                        }
                    }
                }
            }
            return last;
        } finally {
            results.forEach(OrtSession.Result::close);
        }
    }
}
