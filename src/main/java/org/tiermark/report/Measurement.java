package org.tiermark.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One benchmark at one set of params, as measured: its raw samples (pooled and per iteration, the
 * unit the bootstrap resamples), unit, mode and summed secondary metrics. Read from JMH JSON or
 * from a samples CSV; nothing here knows a particular benchmark's params.
 *
 * @param benchmark fully qualified benchmark name ({@code org.tiermark.bench.LinkWaitBenchmark.linkWait}) or a CSV's name
 * @param mode JMH mode ({@code sample}, {@code ss}, {@code avgt}, {@code thrpt}) or {@code sample} for CSV samples
 * @param unit score unit as JMH writes it ({@code ms/op}, {@code us/op}) or {@code s/op} for the studies' CSV
 * @param params params in name order
 * @param samples all observations of all forks and iterations
 * @param iterations observations per measurement iteration (forks one after the other)
 * @param secondary secondary metrics summed over all iterations and forks (AuxCounters EVENTS)
 * @param source the file it was read from
 * @param forks how many of {@code iterations} each fork ran, in order; empty when unknown (one fork)
 * @param secondaryIterations each secondary metric per iteration, in the order of {@code iterations}
 *                            (empty when not read), for statistics over iterations of counters
 */
public record Measurement(String benchmark, String mode, String unit, Map<String, String> params, Samples samples,
                          List<Samples> iterations, Map<String, Double> secondary, String source, List<Integer> forks,
                          Map<String, List<Double>> secondaryIterations) {
    public Measurement {
        Objects.requireNonNull(benchmark, "benchmark");
        mode = mode == null ? "" : mode;
        unit = unit == null ? "" : unit;
        params = params == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(params));
        Objects.requireNonNull(samples, "samples");
        iterations = iterations == null || iterations.isEmpty() ? List.of(samples) : List.copyOf(iterations);
        secondary = secondary == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(secondary));
        source = source == null ? "" : source;
        forks = forks == null ? List.of() : List.copyOf(forks);
        secondaryIterations = secondaryIterations == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(secondaryIterations));
        if (!forks.isEmpty() && forks.stream().mapToInt(Integer::intValue).sum() != iterations.size()) {
            throw new IllegalArgumentException("forks " + forks + " do not add up to the " + iterations.size() + " iterations");
        }
    }

    /** A measurement whose fork boundaries are unknown (the studies' CSVs, tests). */
    public Measurement(String benchmark, String mode, String unit, Map<String, String> params, Samples samples,
                       List<Samples> iterations, Map<String, Double> secondary, String source) {
        this(benchmark, mode, unit, params, samples, iterations, secondary, source, List.of(), Map.of());
    }

    /** {@code Class.method} without the package. */
    public String shortName() {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark;
    }

    /** The param's value or null. */
    public String param(String name) {
        return params.get(name);
    }

    /** Params as {@code a=1,b=2}, in name order. */
    public String paramsText() {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** What identifies the same measurement in another run: benchmark, mode and params. */
    public String key() {
        return shortName() + (mode.isEmpty() ? "" : " [" + mode + "]") + (params.isEmpty() ? "" : " " + paramsText());
    }

    /** Milliseconds per unit of this measurement's time unit, or NaN when it is not a time per operation. */
    public double toMillis() {
        return Units.toMillis(unit);
    }

    /** The same measurement with every sample multiplied by {@code factor} (tests inject slowdowns this way). */
    public Measurement scaled(double factor) {
        List<Samples> its = new ArrayList<>();
        iterations.forEach(s -> its.add(s.scaled(factor)));
        return new Measurement(benchmark, mode, unit, params, samples.scaled(factor), its, secondary, source, forks,
                secondaryIterations);
    }

    /** Per-operation value of a summed secondary metric: {@code name / per}, or NaN when either is missing. */
    public double secondaryPer(String name, String per) {
        Double a = secondary.get(name);
        Double b = secondary.get(per);
        return a == null || b == null || b == 0 ? Double.NaN : a / b;
    }
}
