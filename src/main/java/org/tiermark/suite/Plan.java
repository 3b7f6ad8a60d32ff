package org.tiermark.suite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.Suite;
import org.tiermark.Targets;
import org.tiermark.model.ModelDescriptor;

/**
 * The JMH runs of a suite run: the matrix's cells as {@code DeploymentBenchmark} and
 * {@code ColdStartBenchmark} groups, each target of {@code profiles/targets.json} at its params, and
 * the per-model harness and model-latency cells around them. One group is one JMH run, so a crash
 * loses one group's results, not the run's.
 *
 * @param groups         the JMH runs, in order
 * @param skippedTargets targets not planned, each with the reason
 */
public record Plan(List<Group> groups, List<String> skippedTargets) {
    /** Models the benchmarks generate themselves instead of reading them from the catalog. */
    public static final Set<String> GENERATED_MODELS = LatencyModels.GENERATED;
    /** The deployment {@code HarnessOverheadBenchmark} runs its harness side on. */
    public static final String HARNESS_DEPLOYMENT = "edge";
    /** Cold-start shots per fork = this x --iterations, or more to reach the minimum of samples (see {@link SamplePlanner}). */
    public static final int COLD_START_SHOTS_PER_ITERATION = 4;
    // the benchmarks the matrix plans (targets name theirs in profiles/targets.json): named here only
    static final String DEPLOYMENT = "DeploymentBenchmark";
    static final String COLD_START = "ColdStartBenchmark";
    static final String HARNESS_OVERHEAD = "HarnessOverheadBenchmark";
    static final String MODEL_LATENCY = "ModelLatencyBenchmark";

    public Plan {
        groups = List.copyOf(groups);
        skippedTargets = List.copyOf(skippedTargets);
    }

    /**
     * A benchmark class, its methods (empty: all of them) and its parameter values: one JMH run.
     *
     * @param benchmark  simple name of a class in {@code org.tiermark.bench}
     * @param methods    the {@code @Benchmark} methods to run
     * @param params     {@code @Param} name to values, in the order they appear in labels
     * @param singleShot one shot per iteration (cold start): iterations are counted, not timed
     */
    public record Group(String benchmark, List<String> methods, Map<String, List<String>> params, boolean singleShot) {
        public Group {
            if (methods.isEmpty()) {
                throw new IllegalArgumentException(benchmark + ": a group names the methods it runs");
            }
            methods = List.copyOf(methods);
            Map<String, List<String>> p = new LinkedHashMap<>();
            params.forEach((k, v) -> p.put(k, List.copyOf(v)));
            params = Collections.unmodifiableMap(p);
        }

        public Group(String benchmark, List<String> methods, Map<String, List<String>> params) {
            this(benchmark, methods, params, false);
        }

        /** How many results JMH should produce: one per method and parameter combination. */
        public int expectedResults() {
            return methods.size() * params.values().stream().mapToInt(List::size).reduce(1, (x, y) -> x * y);
        }
    }

    /** The groups a run of {@code matrix} measures, with {@code targets} planned at their params. */
    public static Plan of(Suite suite, Matrix matrix, Targets targets) {
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<List<String>, List<String>> e : matrix.deploymentsByVariant().entrySet()) {
            String model = e.getKey().get(0);
            String operator = e.getKey().get(1);
            Map<String, List<String>> cells = params("model", List.of(model), "operator", List.of(operator),
                    "deployment", e.getValue(), "linkDelay", List.of("simulated"));
            groups.add(new Group(DEPLOYMENT, List.of("request"), cells));
            // the studies' figures contained a session per request; the default measures that for
            // the unchanged model on edge, the full matrix for every cell
            List<String> cold = matrix.size() == Matrix.Size.FULL ? e.getValue()
                    : operator.equals("identity") ? e.getValue().stream().filter(d -> d.equals("edge")).toList() : List.of();
            if (!cold.isEmpty()) {
                groups.add(new Group(COLD_START, List.of("sessionAndFirstRequest"), params("model", List.of(model),
                        "operator", List.of(operator), "deployment", cold, "linkDelay", List.of("simulated")), true));
            }
        }
        // the two separate sides of the harness-overhead target, for the ratio of medians beside the paired one
        for (String model : matrix.models()) {
            groups.add(new Group(HARNESS_OVERHEAD, List.of("deployment", "rawOrt"), params("model", List.of(model))));
        }
        List<String> skipped = new ArrayList<>();
        List<Group> targetGroups = new ArrayList<>();
        for (Targets.Target t : targets.targets()) {
            String why = unavailable(suite, matrix, t);
            if (why != null) {
                skipped.add(t.id() + ": " + why);
                continue;
            }
            List<Map<String, List<String>>> each = expand(t.params(), matrix);
            if (each.isEmpty()) {
                skipped.add(t.id() + ": no model of the matrix has every operator it compares");
                continue;
            }
            each.forEach(params -> targetGroups.add(new Group(t.benchmarkClass(), List.of(t.benchmarkMethod()), params)));
        }
        groups.addAll(targetGroups);
        groups.addAll(modelLatencyGroups(suite, matrix, targetGroups));
        return new Plan(coalesce(groups), skipped);
    }

    /** Why a target cannot run with this matrix, or null when it can. */
    private static String unavailable(Suite suite, Matrix matrix, Targets.Target t) {
        List<String> models = t.params().getOrDefault("model", List.of());
        List<String> operators = t.params().getOrDefault("operator", List.of());
        for (String operator : operators) {
            if (matrix.cells().stream().noneMatch(c -> c.operator().equals(operator))) {
                return "the matrix measures no " + operator + " variant";
            }
        }
        for (String model : models) {
            if (model.equals(Targets.EACH_MATRIX_MODEL) || GENERATED_MODELS.contains(model)) {
                continue;
            }
            if (!suite.catalog().models().containsKey(model)) {
                return "model " + model + " is not in the catalog (" + suite.catalog().root() + ")";
            }
            for (String operator : operators.isEmpty() ? List.of("identity") : operators) {
                if (!matrix.deploymentsByVariant().containsKey(List.of(model, operator))) {
                    return "the matrix does not measure " + model + "/" + operator;
                }
            }
        }
        return null;
    }

    /** The target's params, once per matrix model where it says {@value Targets#EACH_MATRIX_MODEL}: one JMH run per model. */
    private static List<Map<String, List<String>>> expand(Map<String, List<String>> params, Matrix matrix) {
        if (!params.getOrDefault("model", List.of()).contains(Targets.EACH_MATRIX_MODEL)) {
            return List.of(params);
        }
        List<String> operators = params.getOrDefault("operator", List.of());
        List<Map<String, List<String>>> out = new ArrayList<>();
        for (String model : matrix.models()) {
            if (operators.stream().allMatch(o -> matrix.deploymentsByVariant().containsKey(List.of(model, o)))) {
                Map<String, List<String>> one = new LinkedHashMap<>(params);
                one.put("model", List.of(model));
                out.add(one);
            }
        }
        return out;
    }

    /**
     * Pure model latency of identity and sptq (not targets, the figures beside them): for every model
     * whose sptq the matrix measures and every model a model-latency target names, {@code infer} of
     * identity, sptq and whatever the targets compare that model against, at the targets' token counts
     * (else the model's own), and the sptq/identity pair at the longest of them.
     */
    private static List<Group> modelLatencyGroups(Suite suite, Matrix matrix, List<Group> targetGroups) {
        Map<String, Set<String>> operators = new LinkedHashMap<>();
        Map<String, Set<String>> lengths = new LinkedHashMap<>();
        for (Group g : targetGroups) {
            if (g.benchmark().equals(MODEL_LATENCY)) {
                for (String model : g.params().getOrDefault("model", List.of())) {
                    operators.computeIfAbsent(model, k -> new LinkedHashSet<>(List.of("identity", "sptq")))
                            .addAll(g.params().getOrDefault("against", List.of()));
                    lengths.computeIfAbsent(model, k -> new LinkedHashSet<>()).addAll(g.params().getOrDefault("sequenceLength", List.of()));
                }
            }
        }
        for (String model : matrix.models()) {
            if (matrix.deploymentsByVariant().containsKey(List.of(model, "sptq"))) {
                operators.computeIfAbsent(model, k -> new LinkedHashSet<>(List.of("identity", "sptq")));
            }
        }
        // generated models first: their cells come before the catalog's, as the targets list them
        List<String> order = new ArrayList<>(operators.keySet().stream().filter(GENERATED_MODELS::contains).toList());
        operators.keySet().stream().filter(m -> !GENERATED_MODELS.contains(m)).forEach(order::add);
        List<Group> out = new ArrayList<>();
        for (String model : order) {
            List<String> tokens = new ArrayList<>(lengths.getOrDefault(model, Set.of()));
            if (tokens.isEmpty()) {
                ModelDescriptor.InputSpec input = suite.catalog().model(model).descriptor().input();
                tokens.add(input.kind().equals("text") ? String.valueOf(input.sequenceLength()) : "0");
            }
            out.add(new Group(MODEL_LATENCY, List.of("infer"), params("model", List.of(model),
                    "operator", List.copyOf(operators.get(model)), "sequenceLength", tokens)));
            // sptq / identity call by call: separate benchmarks' medians move with the machine's load
            out.add(new Group(MODEL_LATENCY, List.of("paired"), params("model", List.of(model), "operator", List.of("sptq"),
                    "against", List.of("identity"), "sequenceLength", tokens.subList(tokens.size() - 1, tokens.size()))));
        }
        return out;
    }

    /** Merges groups of the same benchmark and params into the first of them: one JMH run, every method asked for. */
    static List<Group> coalesce(List<Group> groups) {
        List<Group> out = new ArrayList<>();
        for (Group g : groups) {
            int same = -1;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).benchmark().equals(g.benchmark()) && out.get(i).params().equals(g.params())) {
                    same = i;
                }
            }
            if (same < 0) {
                out.add(g);
                continue;
            }
            Group first = out.get(same);
            List<String> methods = new ArrayList<>(first.methods());
            g.methods().stream().filter(m -> !methods.contains(m)).forEach(methods::add);
            out.set(same, new Group(g.benchmark(), methods, first.params(), first.singleShot()));
        }
        return out;
    }

    private static Map<String, List<String>> params(Object... keysAndValues) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) keysAndValues[i + 1];
            out.put((String) keysAndValues[i], values);
        }
        return out;
    }
}
