package org.tiermark;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The performance targets, as data ({@code profiles/targets.json}): which benchmark measures each,
 * at which parameters, how its figure is computed and its threshold. The suite plans the target
 * cells from it and the report checks them from it, so neither names a benchmark in code.
 *
 * @param schemaVersion the file format's version ({@link #SCHEMA_VERSION})
 * @param targets       every target, ids unique
 */
public record Targets(@JsonProperty(required = true) int schemaVersion,
                      @JsonProperty(required = true) List<Target> targets) {
    public static final int SCHEMA_VERSION = 1;
    public static final String FILE = "profiles/targets.json";
    /** A params value meaning "each model the run's matrix measures". */
    public static final String EACH_MATRIX_MODEL = "*";

    public Targets {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("field 'schemaVersion': this tiermark reads version " + SCHEMA_VERSION
                    + " (got " + schemaVersion + ")");
        }
        targets = List.copyOf(targets);
        Set<String> ids = new HashSet<>();
        for (Target t : targets) {
            if (!ids.add(t.id())) {
                throw new IllegalArgumentException("field 'targets': id '" + t.id() + "' appears twice");
            }
        }
    }

    public static Targets load(Path home) {
        return Json.read(home.resolve(FILE), Targets.class);
    }

    /**
     * One target.
     *
     * @param id        a short name, used in the report's check table and in the gate
     * @param what      one sentence: what is compared, for the reader of the report
     * @param benchmark {@code Class.method} of the JMH benchmark that measures it
     * @param params    the benchmark parameters of its cells: each key a {@code @Param}, each value the
     *                  values to run; {@link #EACH_MATRIX_MODEL} for a model means every model of the matrix
     * @param measure   how the figure is computed from a measurement
     * @param max       the figure must be at most this (for {@code pairedRatio})
     */
    public record Target(@JsonProperty(required = true) String id,
                         @JsonProperty(required = true) String what,
                         @JsonProperty(required = true) String benchmark,
                         Map<String, List<String>> params,
                         @JsonProperty(required = true) Measure measure,
                         Double max) {
        public Target {
            if (id == null || !id.matches("[a-z0-9][a-z0-9.-]*")) {
                throw new IllegalArgumentException("field 'id': lower-case letters, digits, '.', '-' (got '" + id + "')");
            }
            if (benchmark == null || !benchmark.matches("[A-Za-z0-9_]+\\.[A-Za-z0-9_]+")) {
                throw new IllegalArgumentException("target '" + id + "': field 'benchmark': Class.method of a JMH benchmark (got '"
                        + benchmark + "')");
            }
            Map<String, List<String>> p = new LinkedHashMap<>();
            if (params != null) {
                params.forEach((k, v) -> p.put(k, List.copyOf(v)));
            }
            params = Collections.unmodifiableMap(p);
            if (measure.kind() == Measure.Kind.PAIRED_RATIO && (max == null || !(max > 0))) {
                throw new IllegalArgumentException("target '" + id + "': field 'max': a positive number is required for pairedRatio");
            }
        }

        /** The class part of {@link #benchmark}. */
        public String benchmarkClass() {
            return benchmark.substring(0, benchmark.indexOf('.'));
        }

        /** The method part of {@link #benchmark}. */
        public String benchmarkMethod() {
            return benchmark.substring(benchmark.indexOf('.') + 1);
        }
    }

    /**
     * How a target's figure is computed.
     *
     * @param kind        {@code pairedRatio}: sum(numerator) / sum(denominator) of two secondary counters
     *                    measured in the same invocations; {@code waitError}: the median against the
     *                    value of parameter {@code param} (microseconds)
     * @param numerator   pairedRatio: the secondary counter on top
     * @param denominator pairedRatio: the secondary counter below
     * @param param       waitError: the parameter holding the wanted time in microseconds
     * @param relative    waitError: allowed error as a fraction of the wanted time
     * @param absoluteMicros waitError: allowed error in microseconds (the larger of the two applies)
     * @param fromMicros  waitError: checked only where the wanted time is at least this
     */
    public record Measure(@JsonProperty(required = true) Kind kind,
                          String numerator, String denominator,
                          String param, Double relative, Double absoluteMicros, Double fromMicros) {
        public enum Kind {
            @JsonProperty("pairedRatio") PAIRED_RATIO,
            @JsonProperty("waitError") WAIT_ERROR
        }

        public Measure {
            if (kind == Kind.PAIRED_RATIO && (blank(numerator) || blank(denominator))) {
                throw new IllegalArgumentException("field 'measure': pairedRatio needs 'numerator' and 'denominator' (secondary counters)");
            }
            if (kind == Kind.WAIT_ERROR && (blank(param) || relative == null || absoluteMicros == null)) {
                throw new IllegalArgumentException("field 'measure': waitError needs 'param', 'relative' and 'absoluteMicros'");
            }
        }

        private static boolean blank(String s) {
            return s == null || s.isBlank();
        }
    }
}
