package org.tiermark;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The benchmarks a suite run plans around its matrix, as data ({@code profiles/benchmarks.json}):
 * which benchmark runs for which cells, with which fixed params, and which benchmark's cells make the
 * report's headline table. Targets ({@link Targets}) add their own cells. The suite plans from it and
 * copies it into the run folder, the report reads the copy, so neither names a benchmark in code.
 *
 * @param schemaVersion the file format's version ({@link #SCHEMA_VERSION})
 * @param headline      {@code Class.method} whose cells (model x operator x deployment) make the headline table
 * @param benchmarks    what is planned, in planning order; ids unique
 */
public record Benchmarks(@JsonProperty(required = true) int schemaVersion,
                         @JsonProperty(required = true) String headline,
                         @JsonProperty(required = true) List<Declared> benchmarks) {
    public static final int SCHEMA_VERSION = 1;
    public static final String FILE = "profiles/benchmarks.json";
    /** The matrix sizes {@link Declared#everyCellIn} may name. */
    public static final List<String> MATRIX_SIZES = List.of("smoke", "default", "full");
    private static final String CLASS_METHOD = "[A-Za-z0-9_]+\\.[A-Za-z0-9_]+";
    private static final String CLASS = "[A-Za-z0-9_]+";

    public Benchmarks {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("field 'schemaVersion': this tiermark reads version " + SCHEMA_VERSION
                    + " (got " + schemaVersion + ")");
        }
        if (headline == null || !headline.matches(CLASS_METHOD)) {
            throw new IllegalArgumentException("field 'headline': Class.method of a JMH benchmark (got '" + headline + "')");
        }
        benchmarks = List.copyOf(benchmarks);
        Set<String> ids = new HashSet<>();
        for (Declared d : benchmarks) {
            if (!ids.add(d.id())) {
                throw new IllegalArgumentException("field 'benchmarks': id '" + d.id() + "' appears twice");
            }
        }
    }

    public static Benchmarks load(Path home) {
        return Json.read(home.resolve(FILE), Benchmarks.class);
    }

    /** The declaration of benchmark class {@code benchmark}, or null when none plans it. */
    public Declared declared(String benchmark) {
        return benchmarks.stream().filter(d -> d.benchmark().equals(benchmark)).findFirst().orElse(null);
    }

    /**
     * The deployment benchmark class {@code benchmark} opens itself ({@link Declared#ownDeployment}),
     * or an error naming the file and field when none is declared.
     */
    public String ownDeployment(String benchmark, Path file) {
        Declared d = declared(benchmark);
        if (d == null || d.ownDeployment() == null) {
            throw InvalidInputException.field(file, "benchmarks", "no declaration of " + benchmark + " with an 'ownDeployment'");
        }
        return d.ownDeployment();
    }

    /** Every {@code Class.method} this file names: the headline and each run. */
    public List<String> named() {
        List<String> out = new ArrayList<>(List.of(headline));
        benchmarks.forEach(d -> d.runs().forEach(r -> out.add(d.benchmark() + "." + r.method())));
        return out;
    }

    /**
     * Fails naming {@code file}, the field and the valid benchmarks when a {@code Class.method} here or
     * in {@code targets} is not among {@code available} (simple class name and method, as JMH lists them).
     */
    public void checkAgainst(Collection<String> available, Targets targets, Path file) {
        Set<String> valid = new TreeSet<>(available);
        for (String name : named()) {
            if (!valid.contains(name)) {
                throw InvalidInputException.unknown("benchmark", name, file, valid);
            }
        }
        if (targets != null) {
            for (Targets.Target t : targets.targets()) {
                if (!valid.contains(t.benchmark())) {
                    throw InvalidInputException.unknown("benchmark", t.benchmark() + "' of target '" + t.id(), null, valid);
                }
            }
        }
    }

    /** How a declaration's groups follow the matrix. */
    public enum Per {
        /** one group per variant (model x operator) of the matrix, params model, operator, deployment */
        @JsonProperty("variant") VARIANT,
        /** one group per model of the matrix, param model */
        @JsonProperty("model") MODEL,
        /** one group per model whose {@code operator} variant the matrix measures, param model */
        @JsonProperty("modelWithOperator") MODEL_WITH_OPERATOR
    }

    /** Which token counts a per-model run takes: its targets' (else the model's own), all or the longest. */
    public enum SequenceLengths {
        @JsonProperty("each") EACH,
        @JsonProperty("longest") LONGEST
    }

    /**
     * One benchmark class planned around the matrix.
     *
     * @param id            a short name, for error messages
     * @param what          one sentence: what it measures, for the reader of the file
     * @param benchmark     simple name of the JMH benchmark class
     * @param per           how its groups follow the matrix
     * @param operator      modelWithOperator: the operator whose variant a model must have
     * @param targetModels  modelWithOperator: also every model a target of this benchmark class names
     *                      (before the matrix's), at the targets' token counts
     * @param only          variant: only the deployments of cells whose params are among these values
     * @param everyCellIn   variant: matrix sizes in which {@code only} does not apply
     * @param singleShot    one shot per iteration (cold start): iterations are counted, not timed
     * @param ownDeployment a deployment the benchmark opens itself with links and stretch off (not a
     *                      {@code @Param}), checked before the run like the matrix's
     * @param runs          the methods, each with its fixed params
     */
    public record Declared(@JsonProperty(required = true) String id,
                           String what,
                           @JsonProperty(required = true) String benchmark,
                           @JsonProperty(required = true) Per per,
                           String operator,
                           boolean targetModels,
                           Map<String, List<String>> only,
                           List<String> everyCellIn,
                           boolean singleShot,
                           String ownDeployment,
                           @JsonProperty(required = true) List<Run> runs) {
        public Declared {
            if (id == null || !id.matches("[a-z0-9][a-z0-9.-]*")) {
                throw new IllegalArgumentException("field 'id': lower-case letters, digits, '.', '-' (got '" + id + "')");
            }
            if (benchmark == null || !benchmark.matches(CLASS)) {
                throw new IllegalArgumentException("benchmark '" + id + "': field 'benchmark': the simple name of a JMH benchmark class"
                        + " (got '" + benchmark + "')");
            }
            if (per == null) {
                throw new IllegalArgumentException("benchmark '" + id + "': field 'per': variant, model or modelWithOperator");
            }
            if (per == Per.MODEL_WITH_OPERATOR && (operator == null || operator.isBlank())) {
                throw new IllegalArgumentException("benchmark '" + id + "': field 'operator': modelWithOperator needs the operator");
            }
            if (per != Per.VARIANT && (only != null || everyCellIn != null)) {
                throw new IllegalArgumentException("benchmark '" + id + "': fields 'only'/'everyCellIn' apply to per=variant only");
            }
            if (runs == null || runs.isEmpty()) {
                throw new IllegalArgumentException("benchmark '" + id + "': field 'runs': at least one method");
            }
            runs = List.copyOf(runs);
            for (Run r : runs) {
                if (r.sequenceLength() != null && per == Per.VARIANT) {
                    throw new IllegalArgumentException("benchmark '" + id + "': field 'runs.sequenceLength': per-model runs only");
                }
            }
            only = copy(only);
            for (String key : only.keySet()) {
                if (!List.of("model", "operator", "deployment").contains(key)) {
                    throw new IllegalArgumentException("benchmark '" + id + "': field 'only': keys model, operator, deployment (got '"
                            + key + "')");
                }
            }
            everyCellIn = everyCellIn == null ? List.of() : List.copyOf(everyCellIn);
            for (String size : everyCellIn) {
                if (!MATRIX_SIZES.contains(size)) {
                    throw new IllegalArgumentException("benchmark '" + id + "': field 'everyCellIn': matrix sizes "
                            + MATRIX_SIZES + " (got '" + size + "')");
                }
            }
        }
    }

    /**
     * One method of a declaration.
     *
     * @param method         the {@code @Benchmark} method
     * @param params         fixed {@code @Param} values, after the ones the matrix gives
     * @param sequenceLength per-model: adds {@code sequenceLength}, each of the model's token counts or the longest
     * @param targetAgainst  per-model with targetModels: the targets' {@code against} operators join {@code operator}
     */
    public record Run(@JsonProperty(required = true) String method,
                      Map<String, List<String>> params,
                      SequenceLengths sequenceLength,
                      boolean targetAgainst) {
        public Run {
            if (method == null || !method.matches(CLASS)) {
                throw new IllegalArgumentException("field 'runs.method': the name of a @Benchmark method (got '" + method + "')");
            }
            params = copy(params);
        }
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> params) {
        Map<String, List<String>> p = new LinkedHashMap<>();
        if (params != null) {
            params.forEach((k, v) -> p.put(k, List.copyOf(v)));
        }
        return Collections.unmodifiableMap(p);
    }
}
