package org.tiermark.accuracy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.tiermark.InvalidInputException;
import org.tiermark.Preprocessors;
import org.tiermark.Suite;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.Costs;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.tier.DeploymentProfile;

/**
 * The accuracy step: every requested variant scored on its model's evaluation set, written to
 * {@code <run>/accuracy.json} in one atomic write. Each variant runs through the same
 * {@link DeploymentRunner} as the benchmarks (links off, machine speed), so multi-stage variants go
 * stage by stage with their tensors serialized in between. Identity is always evaluated, as the
 * reference for the delta and the agreement.
 *
 * <p>Bad input (a model without evaluation data, a missing file, labels outside the class range, a
 * model whose inputs do not match its descriptor) fails before any variant runs and nothing is
 * written. A variant that fails while running (or is not built) is recorded in {@code errors}.
 */
public final class AccuracyStep {
    public static final String FILE = AccuracyReport.FILE;
    public static final List<String> SETS = List.of("small", "large");

    private AccuracyStep() {}

    /**
     * Evaluates {@code modelOperatorPairs} ({@code {model, operator}}) on the {@code set}
     * ({@code small} or {@code large}) evaluation sets and writes {@code runDir/accuracy.json}.
     */
    public static AccuracyReport run(Suite suite, List<String[]> modelOperatorPairs, String set, Path runDir)
            throws IOException {
        if (!SETS.contains(set)) {
            throw new InvalidInputException("unknown evaluation set '" + set + "'; valid: " + String.join(", ", SETS));
        }
        return run(suite, modelOperatorPairs, model -> set, runDir);
    }

    /**
     * As {@link #run(Suite, List, String, Path)} with each model on its own set ({@code setOf}, e.g. the
     * large set for the models whose white-box checks need it); the report's {@code evaluationSet} then
     * names which models were scored on which set.
     */
    public static AccuracyReport run(Suite suite, List<String[]> modelOperatorPairs, Function<String, String> setOf, Path runDir)
            throws IOException {
        Map<String, Set<String>> byModel = new LinkedHashMap<>();
        for (String[] pair : modelOperatorPairs) {
            if (pair.length != 2) {
                throw new IllegalArgumentException("a pair is {model, operator}");
            }
            byModel.computeIfAbsent(pair[0], k -> new LinkedHashSet<>()).add(pair[1]);
        }
        // everything that can be checked is checked before the first variant runs
        Map<String, Evaluator> evaluators = new LinkedHashMap<>();
        Map<String, List<String>> modelsBySet = new TreeMap<>();
        for (String model : byModel.keySet()) {
            String set = setOf.apply(model);
            if (!SETS.contains(set)) {
                throw new InvalidInputException("unknown evaluation set '" + set + "' for " + model + "; valid: " + String.join(", ", SETS));
            }
            modelsBySet.computeIfAbsent(set, k -> new ArrayList<>()).add(model);
            Catalog.Model m = suite.catalog().model(model);
            evaluators.put(model, Evaluator.create(m, set));
            InputCheck.check(m);
        }
        List<AccuracyReport.Entry> entries = new ArrayList<>();
        List<AccuracyReport.Error> errors = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : byModel.entrySet()) {
            String model = e.getKey();
            Evaluator ev = evaluators.get(model);
            List<String> operators = new ArrayList<>();
            operators.add("identity");
            e.getValue().stream().filter(o -> !o.equals("identity")).forEach(operators::add);
            Run identity = null;
            for (String operator : operators) {
                try {
                    Run r = evaluate(suite, model, operator, ev);
                    if (operator.equals("identity")) {
                        identity = r;
                    }
                    entries.add(entry(model, operator, ev, r, identity));
                    System.out.printf("accuracy %s/%s: %s %.4f [%.4f, %.4f] on %d samples in %.1f s%n", model, operator,
                            ev.metric(), entries.get(entries.size() - 1).value(), entries.get(entries.size() - 1).ci95()[0],
                            entries.get(entries.size() - 1).ci95()[1], ev.size(), r.seconds());
                } catch (Exception ex) {
                    String msg = ex instanceof InvalidInputException ? ex.getMessage() : ex.toString();
                    errors.add(new AccuracyReport.Error(model, operator, msg));
                    System.err.println("accuracy " + model + "/" + operator + " failed: " + msg);
                }
            }
        }
        AccuracyReport report = new AccuracyReport(AccuracyReport.SCHEMA,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), describe(modelsBySet), entries, errors);
        report.write(runDir);
        return report;
    }

    /** {@code small} or {@code large} when every model used it, else e.g. {@code large for a, b; small for c}. */
    static String describe(Map<String, List<String>> modelsBySet) {
        if (modelsBySet.size() <= 1) {
            return modelsBySet.isEmpty() ? "small" : modelsBySet.keySet().iterator().next();
        }
        return modelsBySet.entrySet().stream().map(e -> e.getKey() + " for " + String.join(", ", e.getValue()))
                .collect(Collectors.joining("; "));
    }

    /** Outcomes of one variant, and how long they took. */
    record Run(List<Evaluator.Outcome> outcomes, double seconds, String deployment) {}

    /**
     * Runs every sample through the variant. Samples are split over {@link #workers()} threads, each
     * with its own runner (a runner is single-threaded, with its tier's thread count); outcomes keep
     * evaluation-set order.
     */
    static Run evaluate(Suite suite, String model, String operator, Evaluator ev) throws Exception {
        Catalog.Model m = suite.catalog().model(model);
        Variant v = suite.variants().get(model, operator);
        DeploymentProfile d = deploymentFor(suite, v.stageCount());
        OrtEnvironment env = Sessions.environment();
        long start = System.nanoTime();
        int workers = Math.min(workers(), ev.size());
        Evaluator.Outcome[] outcomes = new Evaluator.Outcome[ev.size()];
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int first = w;
                parts.add(pool.submit(() -> {
                    try (DeploymentRunner runner = DeploymentRunner.open(env, v, d, suite.profiles(), Costs.NONE,
                            Preprocessors.create(m, env))) {
                        for (int i = first; i < ev.size(); i += workers) {
                            outcomes[i] = ev.judge(i, runner.run(ev.input(i)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Run(List.of(outcomes), (System.nanoTime() - start) / 1e9, d.name());
    }

    /** Parallel runners: {@code -Dtiermark.accuracy.workers}, else one per core, at most 4. */
    static int workers() {
        return Math.max(1, Integer.getInteger("tiermark.accuracy.workers",
                Math.min(4, Runtime.getRuntime().availableProcessors())));
    }

    /** A deployment placing exactly {@code stages} stages; the cloud ones first (links are off anyway). */
    static DeploymentProfile deploymentFor(Suite suite, int stages) {
        return suite.profiles().deployments().values().stream()
                .filter(d -> d.stageCount() == stages)
                .sorted(Comparator.comparing((DeploymentProfile d) -> !d.name().contains("cloud"))
                        .thenComparing(DeploymentProfile::name))
                .findFirst()
                .orElseThrow(() -> new InvalidInputException("no deployment in profiles/deployments places "
                        + stages + " stages; add one to evaluate this variant"));
    }

    static AccuracyReport.Entry entry(String model, String operator, Evaluator ev, Run r, Run identity) {
        List<Evaluator.Outcome> o = r.outcomes();
        double value = ev.value(o, Metrics.all(o.size()));
        double[] ci = Metrics.bootstrap95(o.size(), idx -> ev.value(o, idx));
        Double delta = null;
        Double agreement = null;
        if (identity != null) {
            delta = value - ev.value(identity.outcomes(), Metrics.all(identity.outcomes().size()));
            agreement = ev.agreement(o, identity.outcomes());
        }
        List<Number> perSample = new ArrayList<>(o.size());
        for (Evaluator.Outcome x : o) {
            double s = x.score();
            perSample.add(s == Math.rint(s) && (s == 0 || s == 1) ? (Number) (int) s : (Number) s);
        }
        return new AccuracyReport.Entry(model, operator, ev.metric(), value, ci, delta, agreement, o.size(),
                r.seconds(), perSample, r.deployment(), ev.extra(o));
    }

    /** Checks that the model's identity ONNX takes what its descriptor says it takes. */
    static final class InputCheck {
        private InputCheck() {}

        static void check(Catalog.Model m) {
            OrtEnvironment env = Sessions.environment();
            // only the signature is needed: skip graph optimization to keep this check cheap
            try (OrtSession.SessionOptions o = Sessions.options(Sessions.Settings.oneThread()
                    .withLevel(OrtSession.SessionOptions.OptLevel.NO_OPT))) {
                try (OrtSession s = env.createSession(m.onnx().toString(), o)) {
                    check(m, s.getInputInfo());
                }
            } catch (OrtException e) {
                throw new InvalidInputException(m.file() + ": field 'onnx': ONNX Runtime cannot load " + m.onnx() + ": " + e.getMessage(), e);
            }
        }

        static void check(Catalog.Model m, Map<String, ai.onnxruntime.NodeInfo> inputs) {
            var in = m.descriptor().input();
            if (in.kind().equals("text")) {
                Set<String> known = Set.of("input_ids", "attention_mask", "token_type_ids");
                for (Map.Entry<String, ai.onnxruntime.NodeInfo> e : inputs.entrySet()) {
                    if (!known.contains(e.getKey())) {
                        throw InvalidInputException.field(m.file(), "input.kind", "text input feeds input_ids, "
                                + "attention_mask, token_type_ids, but " + m.onnx() + " also needs '" + e.getKey() + "'");
                    }
                    if (e.getValue().getInfo() instanceof ai.onnxruntime.TensorInfo t
                            && (t.type != ai.onnxruntime.OnnxJavaType.INT64 || t.getShape().length != 2)) {
                        throw InvalidInputException.field(m.file(), "input.kind", "text input gives int64 [batch, sequence] but "
                                + m.onnx() + " input '" + e.getKey() + "' is " + t.type + " " + Arrays.toString(t.getShape()));
                    }
                }
                if (!inputs.containsKey("input_ids")) {
                    throw InvalidInputException.field(m.file(), "input.kind", m.onnx() + " has no 'input_ids' input; inputs: " + inputs.keySet());
                }
                return;
            }
            ai.onnxruntime.NodeInfo n = inputs.get(in.tensor());
            if (n == null) {
                throw InvalidInputException.field(m.file(), "input.tensor", "'" + in.tensor() + "' is not an input of "
                        + m.onnx() + "; its inputs: " + inputs.keySet());
            }
            if (!(n.getInfo() instanceof ai.onnxruntime.TensorInfo t) || t.type != ai.onnxruntime.OnnxJavaType.FLOAT
                    || t.getShape().length != 4) {
                throw InvalidInputException.field(m.file(), "input.tensor", "'" + in.tensor() + "' of " + m.onnx()
                        + " is not a float [N, C, H, W] tensor: " + n.getInfo());
            }
            long[] s = t.getShape();
            long[] want = {-1, in.channels(), in.height(), in.width()};
            String[] field = {"", "input.channels", "input.height", "input.width"};
            for (int i = 1; i < 4; i++) {
                if (s[i] > 0 && s[i] != want[i]) {
                    throw InvalidInputException.field(m.file(), field[i], "is " + want[i] + " but " + m.onnx() + " input '"
                            + in.tensor() + "' has shape " + Arrays.toString(s));
                }
            }
        }
    }
}
