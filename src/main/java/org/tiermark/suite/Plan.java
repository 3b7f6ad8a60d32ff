package org.tiermark.suite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tiermark.Benchmarks;
import org.tiermark.Suite;
import org.tiermark.Targets;
import org.tiermark.model.ModelDescriptor;

/**
 * The JMH runs of a suite run: the benchmarks {@code profiles/benchmarks.json} declares around the
 * matrix's cells, and each target of {@code profiles/targets.json} at its params. One group is one JMH
 * run, so a crash loses one group's results, not the run's. Groups come in this order: per-variant
 * declarations (variant by variant), per-model ones (model by model), the targets, then the
 * modelWithOperator declarations (which take their models and token counts from the targets too).
 *
 * @param groups         the JMH runs, in order
 * @param skippedTargets targets not planned, each with the reason
 */
public record Plan(List<Group> groups, List<String> skippedTargets) {
    /** Cold-start shots per fork = this x --iterations, or more to reach the minimum of samples (see {@link SamplePlanner}). */
    public static final int COLD_START_SHOTS_PER_ITERATION = 4;

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

    /** The groups a run of {@code matrix} measures, with the home's {@code benchmarks.json} and {@code targets}. */
    public static Plan of(Suite suite, Matrix matrix, Targets targets) {
        return of(suite, matrix, targets, Benchmarks.load(suite.home()));
    }

    /**
     * The groups a run of {@code matrix} measures: {@code benchmarks} around its cells, {@code targets}
     * at their params. A benchmark either file names that this build does not have is refused, with
     * the valid ones listed.
     */
    public static Plan of(Suite suite, Matrix matrix, Targets targets, Benchmarks benchmarks) {
        Set<String> available = JmhBenchmarks.available();
        if (!available.isEmpty()) {
            benchmarks.checkAgainst(available, targets, suite.home().resolve(Benchmarks.FILE));
        }
        List<Group> groups = new ArrayList<>();
        String size = matrix.size().name().toLowerCase(Locale.ROOT);
        for (Map.Entry<List<String>, List<String>> e : matrix.deploymentsByVariant().entrySet()) {
            for (Benchmarks.Declared d : declared(benchmarks, Benchmarks.Per.VARIANT)) {
                List<String> deployments = d.everyCellIn().contains(size) ? e.getValue() : only(d, e.getKey(), e.getValue());
                if (deployments.isEmpty()) {
                    continue;
                }
                for (Benchmarks.Run r : d.runs()) {
                    Map<String, List<String>> params = params("model", List.of(e.getKey().get(0)),
                            "operator", List.of(e.getKey().get(1)), "deployment", deployments);
                    params.putAll(r.params());
                    groups.add(new Group(d.benchmark(), List.of(r.method()), params, d.singleShot()));
                }
            }
        }
        for (String model : matrix.models()) {
            for (Benchmarks.Declared d : declared(benchmarks, Benchmarks.Per.MODEL)) {
                d.runs().forEach(r -> groups.add(modelGroup(d, r, model, Map.of())));
            }
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
        for (Benchmarks.Declared d : declared(benchmarks, Benchmarks.Per.MODEL_WITH_OPERATOR)) {
            groups.addAll(modelWithOperatorGroups(suite, matrix, d, targetGroups));
        }
        return new Plan(coalesce(groups), skipped);
    }

    private static List<Benchmarks.Declared> declared(Benchmarks benchmarks, Benchmarks.Per per) {
        return benchmarks.benchmarks().stream().filter(d -> d.per() == per).toList();
    }

    /** The deployments of a variant its declaration's {@code only} lets through. */
    private static List<String> only(Benchmarks.Declared d, List<String> variant, List<String> deployments) {
        List<String> operators = d.only().get("operator");
        List<String> models = d.only().get("model");
        if ((models != null && !models.contains(variant.get(0))) || (operators != null && !operators.contains(variant.get(1)))) {
            return List.of();
        }
        List<String> wanted = d.only().get("deployment");
        return wanted == null ? deployments : deployments.stream().filter(wanted::contains).toList();
    }

    /** One per-model group: param model, then the run's params, then the token counts. */
    private static Group modelGroup(Benchmarks.Declared d, Benchmarks.Run r, String model, Map<String, List<String>> tokens) {
        Map<String, List<String>> params = params("model", List.of(model));
        params.putAll(r.params());
        params.putAll(tokens);
        return new Group(d.benchmark(), List.of(r.method()), params, d.singleShot());
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
            if (model.equals(Targets.EACH_MATRIX_MODEL)) {
                continue;
            }
            if (!suite.catalog().models().containsKey(model)) {
                return "model " + model + " is not in the catalog (" + suite.catalog().root() + ")";
            }
            if (!suite.catalog().models().get(model).descriptor().inMatrix()) {
                // a reference model is in no matrix: its variants are built when its benchmark runs
                continue;
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
     * A modelWithOperator declaration's groups: for every model a target of its benchmark names (when
     * {@code targetModels}) and every matrix model with a variant of its operator, each run at the
     * targets' token counts for that model (else the model's own), the targets' {@code against}
     * operators joining runs that ask for them.
     */
    private static List<Group> modelWithOperatorGroups(Suite suite, Matrix matrix, Benchmarks.Declared d, List<Group> targetGroups) {
        Map<String, Set<String>> against = new LinkedHashMap<>();
        Map<String, Set<String>> lengths = new LinkedHashMap<>();
        if (d.targetModels()) {
            for (Group g : targetGroups) {
                if (g.benchmark().equals(d.benchmark())) {
                    for (String model : g.params().getOrDefault("model", List.of())) {
                        against.computeIfAbsent(model, k -> new LinkedHashSet<>()).addAll(g.params().getOrDefault("against", List.of()));
                        lengths.computeIfAbsent(model, k -> new LinkedHashSet<>()).addAll(g.params().getOrDefault("sequenceLength", List.of()));
                    }
                }
            }
        }
        for (String model : matrix.models()) {
            if (matrix.deploymentsByVariant().containsKey(List.of(model, d.operator()))) {
                against.computeIfAbsent(model, k -> new LinkedHashSet<>());
            }
        }
        List<Group> out = new ArrayList<>();
        for (String model : against.keySet()) {
            List<String> tokens = new ArrayList<>(lengths.getOrDefault(model, Set.of()));
            if (tokens.isEmpty()) {
                ModelDescriptor.InputSpec input = suite.catalog().model(model).descriptor().input();
                tokens.add(input.kind().equals("text") ? String.valueOf(input.sequenceLength()) : "0");
            }
            for (Benchmarks.Run r : d.runs()) {
                Benchmarks.Run run = r;
                if (r.targetAgainst() && !against.get(model).isEmpty()) {
                    Map<String, List<String>> params = new LinkedHashMap<>(r.params());
                    Set<String> operators = new LinkedHashSet<>(params.getOrDefault("operator", List.of()));
                    operators.addAll(against.get(model));
                    params.put("operator", List.copyOf(operators));
                    run = new Benchmarks.Run(r.method(), params, r.sequenceLength(), false);
                }
                Map<String, List<String>> lengthParam = r.sequenceLength() == null ? Map.of()
                        : Map.of("sequenceLength", r.sequenceLength() == Benchmarks.SequenceLengths.EACH ? tokens : List.of(longest(tokens)));
                out.add(modelGroup(d, run, model, lengthParam));
            }
        }
        return out;
    }

    private static String longest(List<String> tokens) {
        return tokens.stream().max(Comparator.comparingInt(Integer::parseInt)).orElseThrow();
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
