package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tiermark.InvalidInputException;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.OrtRuns;
import org.tiermark.onnx.Sessions;
import org.tiermark.onnx.StageChain;

/**
 * Builds a variant: runs an operator's steps as a pipeline (each step transforms the previous step's
 * model), writes the stage files, checks that ONNX Runtime loads each with all optimizations
 * (recording which integer kernels it fused), compares the variant's outputs with the source model's
 * on held-out inputs, and writes the manifest last. All parameters are checked before anything is
 * built; the build happens in a work folder that replaces the cached variant only once complete
 * ({@link VariantFolders}), so a failed or killed build never loses the variant that was there.
 */
public final class VariantBuilder {
    /**
     * Bumped when the pipeline itself changes what it produces, rebuilding every variant; a change in
     * one step bumps that step's {@link OperatorStep#version()} instead. 3: stage files declare shapes
     * on every graph input and output and list nodes in topological order (valid ONNX).
     */
    public static final int BUILDER_VERSION = 3;

    /** The builder's own parameter: held-out samples compared with the source model. */
    static final String CHECK_SAMPLES = "check.samples";
    private static final Map<String, String> OWN = Map.of(CHECK_SAMPLES, "16");

    /**
     * What a variant is built from.
     *
     * @param model       the model's name
     * @param onnx        its ONNX file
     * @param calibration samples for sptq calibration (and shape probes)
     * @param heldOut     samples not used for calibration, for the comparison with the source model
     * @param defaults    the model's operator parameters (descriptor {@code operatorDefaults})
     * @param entry       the catalog entry (descriptor, data) when the model comes from the catalog, else
     *                    null: training steps read their data and teacher from it
     */
    public record Source(String model, Path onnx, InputSamples calibration, InputSamples heldOut,
                         Map<String, String> defaults, Catalog.Model entry) {
        public Source {
            defaults = Map.copyOf(defaults);
        }

        /** A source outside the catalog (a synthetic model of a benchmark or test). */
        public Source(String model, Path onnx, InputSamples calibration, InputSamples heldOut, Map<String, String> defaults) {
            this(model, onnx, calibration, heldOut, defaults, null);
        }

        /**
         * A catalog model without samples: enough to ask a step whether it applies (the matrix does,
         * before anything is built), not to build.
         */
        public static Source describing(Catalog.Model m) {
            return new Source(m.name(), m.onnx(), InputSamples.NONE, InputSamples.NONE, m.descriptor().operatorDefaults(), m);
        }

        public Optional<Catalog.Model> catalogEntry() {
            return Optional.ofNullable(entry);
        }
    }

    private VariantBuilder() {}

    /** Whether {@code op} reads parameter {@code key} (one of its steps' keys or the builder's own). */
    public static boolean reads(Operator op, String key) {
        return OWN.containsKey(key) || op.steps().stream().anyMatch(s -> s.parameters().containsKey(key));
    }

    /**
     * The parameters {@code op} reads, in effect: step defaults, then the model's, then
     * {@code overrides}; every value checked by its step. An override {@code op} does not read is an
     * error naming the key and listing the keys it reads; in the model's defaults, keys of other
     * operators are left to them, but an unknown key under a registered step's prefix is an error.
     */
    public static Map<String, String> params(Operator op, Map<String, String> modelDefaults, Map<String, String> overrides) {
        Map<String, String> p = new TreeMap<>(OWN);
        op.steps().forEach(s -> p.putAll(s.parameters()));
        for (Map.Entry<String, String> e : modelDefaults.entrySet()) {
            String k = e.getKey();
            if (p.containsKey(k)) {
                p.put(k, e.getValue());
            } else if (k.startsWith("check.") || OperatorSteps.owner(k).filter(s -> !s.parameters().containsKey(k)).isPresent()) {
                throw new InvalidInputException("unknown operator parameter '" + k + "' in the model's operatorDefaults; valid: "
                        + String.join(", ", allKeys()));
            }
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String k = e.getKey();
            if (!p.containsKey(k)) {
                String reads = String.join(", ", p.keySet());
                if (allKeys().contains(k)) {
                    throw new InvalidInputException("parameter '" + k + "' is not used by operator '" + op.name()
                            + "'; it reads: " + reads);
                }
                throw new InvalidInputException("unknown operator parameter '" + k + "'; operator '" + op.name()
                        + "' reads: " + reads);
            }
            p.put(k, e.getValue());
        }
        if (StepContext.Params.parseInt(CHECK_SAMPLES, p.get(CHECK_SAMPLES)) < 1) {
            throw new InvalidInputException(CHECK_SAMPLES + ": must be >= 1 (got " + p.get(CHECK_SAMPLES) + ")");
        }
        for (OperatorStep s : op.steps()) {
            s.validate(only(p, s));
        }
        return p;
    }

    private static Set<String> allKeys() {
        Set<String> all = new TreeSet<>(OWN.keySet());
        OperatorSteps.all().forEach(s -> all.addAll(s.parameters().keySet()));
        return all;
    }

    private static Map<String, String> only(Map<String, String> params, OperatorStep s) {
        Map<String, String> m = new TreeMap<>();
        s.parameters().keySet().forEach(k -> m.put(k, params.get(k)));
        return m;
    }

    /** What decides the variant's content: the chain, each step's version and the parameters it reads. */
    public static VariantManifest.Recipe recipe(Operator op, Map<String, String> params) {
        List<VariantManifest.StepRecipe> steps = new ArrayList<>();
        for (OperatorStep s : op.steps()) {
            steps.add(new VariantManifest.StepRecipe(s.word(), s.version(), only(params, s)));
        }
        return new VariantManifest.Recipe(op.name(), BUILDER_VERSION, steps, Map.of(CHECK_SAMPLES, params.get(CHECK_SAMPLES)));
    }

    /** The variant in {@code folder}, built first when missing or stale (recipe or source changed) or {@code force}. */
    public static Variant ensure(OrtEnvironment env, Source src, Operator op, Map<String, String> overrides, Path folder,
                                 boolean force) throws OrtException, IOException {
        if (op.isIdentity()) {
            return identity(src, op, overrides);
        }
        String recipeSha = recipe(op, params(op, src.defaults(), overrides)).sha256();
        VariantFolders.recover(folder);
        if (!force && isCurrent(folder, recipeSha, OnnxModels.sha256(src.onnx()))) {
            return variant(src.model(), op, folder, VariantManifest.read(folder.resolve(VariantStore.MANIFEST)));
        }
        return build(env, src, op, overrides, folder);
    }

    private static Variant identity(Source src, Operator op, Map<String, String> overrides) {
        params(op, src.defaults(), overrides);
        return Variant.identity(src.model(), src.onnx());
    }

    static Variant variant(String model, Operator op, Path folder, VariantManifest m) {
        return new Variant(model, op.name(), m.stages().stream().map(folder::resolve).toList(),
                folder.resolve(VariantStore.MANIFEST));
    }

    /**
     * Whether the manifest in {@code folder} was built from this recipe and source, with every stage
     * file present at the size the manifest records (a cheap check; {@code variants --check} hashes).
     */
    static boolean isCurrent(Path folder, String recipeSha, String sourceSha) {
        Path manifest = folder.resolve(VariantStore.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        VariantManifest m;
        try {
            m = VariantManifest.read(manifest);
        } catch (InvalidInputException e) {
            return false;  // an older format or a damaged file: rebuilt
        }
        return recipeSha.equals(m.recipeSha256()) && sourceSha.equals(m.source().sha256())
                && VariantStore.sizeProblems(folder, m).isEmpty();
    }

    /**
     * Why {@code op} cannot apply to {@code src} with {@code params} (the first step that says so, e.g. a
     * training step without a trainer or training data), judged before any work; empty when it may.
     * A step may also throw an InvalidInputException here for a parameter out of its range for this model.
     */
    public static Optional<String> notApplicable(OrtEnvironment env, Source src, Operator op, Map<String, String> params) {
        for (OperatorStep s : op.steps()) {
            Optional<String> why = s.notApplicable(new StepContext(env, src, only(params, s), Set.of(), List.of()));
            if (why.isPresent()) {
                return Optional.of(s.word() + " does not apply: " + why.get());
            }
        }
        return Optional.empty();
    }

    /** Builds the variant and puts it in {@code folder} (replacing what is there only once complete). */
    public static Variant build(OrtEnvironment env, Source src, Operator op, Map<String, String> overrides, Path folder)
            throws OrtException, IOException {
        if (op.isIdentity()) {
            return identity(src, op, overrides);
        }
        long start = System.nanoTime();
        Map<String, String> params = params(op, src.defaults(), overrides);
        Optional<String> why = notApplicable(env, src, op, params);
        if (why.isPresent()) {
            throw new InvalidInputException(src.model() + "/" + op.name() + ": " + why.get());
        }
        VariantFolders.recover(folder);
        Path work = VariantFolders.work(folder);
        try {
            VariantManifest m = buildInto(env, src, op, params, work, start);
            VariantFolders.replace(folder, work);
            return variant(src.model(), op, folder, m);
        } finally {
            VariantFolders.deleteTree(work);
        }
    }

    private static VariantManifest buildInto(OrtEnvironment env, Source src, Operator op, Map<String, String> params,
                                             Path work, long start) throws OrtException, IOException {
        VariantManifest.Recipe recipe = recipe(op, params);
        Pipeline.Output out = Pipeline.run(env, src, op, params, OnnxModels.load(src.onnx()));
        List<String> names = out.stages().size() == 1 ? List.of("model.onnx") : List.of("head.onnx", "tail.onnx");
        List<Path> files = new ArrayList<>();
        List<VariantManifest.StageFile> details = new ArrayList<>();
        Map<String, Map<String, Integer>> fused = new LinkedHashMap<>();
        for (int i = 0; i < out.stages().size(); i++) {
            Path f = work.resolve(names.get(i));
            OnnxMl.ModelProto stage = out.stages().get(i);
            OnnxModels.save(stage, f);
            files.add(f);
            Map<String, Integer> integer = new TreeMap<>();
            OrtRuns.optimizedOpCounts(env, f).forEach((k, v) -> {
                if (isIntegerKernel(k)) {
                    integer.put(k, v);
                }
            });
            fused.put(names.get(i), integer);
            details.add(new VariantManifest.StageFile(names.get(i), Files.size(f), OnnxModels.sha256(f),
                    stage.getGraph().getInputList().stream().map(OnnxMl.ValueInfoProto::getName).toList(),
                    stage.getGraph().getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList(),
                    stage.getGraph().getNodeCount()));
        }
        InputSamples check = src.heldOut().first(Math.min(Integer.parseInt(params.get(CHECK_SAMPLES).strip()),
                src.heldOut().size()), CHECK_SAMPLES);
        VariantManifest.Quality q = compare(env, src.onnx(), files, check, OrtSession.SessionOptions.OptLevel.ALL_OPT);
        VariantManifest.Exactness exactness = null;
        if (op.steps().stream().allMatch(OperatorStep::producesStages)) {
            // cutting alone must give the same bits; with ALL_OPT ONNX Runtime may pick other kernels or
            // layouts at the cut (a few ulp), which quality records as deployed
            VariantManifest.Quality exact = compare(env, src.onnx(), files, check, OrtSession.SessionOptions.OptLevel.BASIC_OPT);
            if (exact.maxAbsDiff() != 0) {
                throw new IllegalStateException(src.model() + "/" + op.name() + ": partitioned stages differ from the model by "
                        + exact.maxAbsDiff() + " (must be exact)");
            }
            exactness = new VariantManifest.Exactness("BASIC_OPT", exact.maxAbsDiff(), exact.samples());
        }
        Map<String, String> used = new TreeMap<>(recipe.check());
        recipe.steps().forEach(s -> used.putAll(s.params()));
        VariantManifest m = new VariantManifest(VariantManifest.SCHEMA_VERSION, src.model(), op.name(), recipe, recipe.sha256(),
                new VariantManifest.SourceFile(src.onnx().toString(), OnnxModels.sha256(src.onnx()), Files.size(src.onnx())),
                names, details, used, out.sections(), fused, out.link(), exactness, q, (System.nanoTime() - start) / 1e9,
                Instant.now().toString());
        m.write(work.resolve(VariantStore.MANIFEST));
        return m;
    }

    private static boolean isIntegerKernel(String op) {
        String o = op.contains(":") ? op.substring(op.indexOf(':') + 1) : op;
        return o.startsWith("QLinear") || o.startsWith("Nhwc") || o.equals("QGemm") || o.contains("Integer")
                || o.equals("DynamicQuantizeMatMul") || o.equals("QuantizeLinear") || o.equals("DequantizeLinear")
                || o.equals("QAttention");
    }

    /** Runs the source model and the variant's stages (chained by tensor names) on the same inputs. */
    public static VariantManifest.Quality compare(OrtEnvironment env, Path source, List<Path> stages, InputSamples heldOut,
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
                    Map<String, float[]> expected = StageChain.run(List.of(full), in);
                    Map<String, float[]> actual = StageChain.run(sessions.subList(1, sessions.size()), in);
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
            return new VariantManifest.Quality(heldOut.size(), max, n == 0 ? Double.NaN : sum / n, n == 0 ? Double.NaN : min);
        } finally {
            for (OrtSession s : sessions) {
                s.close();
            }
        }
    }
}
