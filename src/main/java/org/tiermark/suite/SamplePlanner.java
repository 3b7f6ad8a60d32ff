package org.tiermark.suite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How each JMH group is measured so that every cell gets its minimum of samples whatever its request
 * time, and how long the run is predicted to take.
 *
 * <p>The guarantee does not rest on the prediction: a SampleTime iteration always completes at least
 * one call and JMH times every call of a slow benchmark, so a cell measured in {@code n} iterations
 * per fork has at least {@code forks x n} samples. The planner therefore raises the iteration count
 * to the minimum and shortens each iteration so that a fast cell spends the time it spent before
 * (e.g. 30 x 100 ms instead of 3 x 1 s), and a slow one gets one or more calls per iteration.
 * The prediction (request times of an earlier run, see {@link RequestTimes}) only says how long that
 * takes and which cells the default matrix cannot afford.
 */
public final class SamplePlanner {
    /** Samples per cell a default run guarantees. */
    public static final int DEFAULT_MIN_SAMPLES = 30;
    /** Samples per cell a full run guarantees. */
    public static final int FULL_MIN_SAMPLES = 100;
    /** Samples per cell of the smoke run: proves the harness, no statistics. */
    public static final int SMOKE_MIN_SAMPLES = 5;
    /** Wall time a default run's JMH groups should stay under: the run's 30 minutes less variants and accuracy. */
    public static final long DEFAULT_BUDGET_MS = 25 * 60_000L;
    /**
     * The default matrix leaves out a cell whose earlier request time exceeds this: 30 samples of it
     * cost over 30 s (with warm-up and setup calls), and the cells above it all cross the 1 Mbit/s
     * edge-cloud link with a payload the full matrix measures anyway.
     */
    public static final double DEFAULT_MAX_REQUEST_MS = 1000;
    /** Shortest measurement iteration: below it JMH's per-iteration bookkeeping shows in the time. */
    static final long MIN_ITERATION_MS = 100;
    // measured here (jmh/*.log of smoke runs, 2 cores): JVM fork start to the first @Setup, and a cell's
    // setup (suite load, sessions, input pool) before its first warm-up iteration
    static final long FORK_START_MS = 1_500;
    static final long CELL_SETUP_MS = 1_500;

    private SamplePlanner() {}

    /**
     * The JMH settings of one group.
     *
     * @param forks             forks
     * @param warmupIterations  warm-up iterations per fork
     * @param warmupMs          time of one warm-up iteration (not used by single-shot groups)
     * @param iterations        measurement iterations per fork
     * @param iterationMs       time of one measurement iteration (not used by single-shot groups)
     * @param singleShot        one call per iteration
     */
    public record Measurement(int forks, int warmupIterations, long warmupMs, int iterations, long iterationMs, boolean singleShot) {
        public Measurement {
            if (forks < 0 || warmupIterations < 0 || iterations < 1 || warmupMs < 1 || iterationMs < 1) {
                throw new IllegalArgumentException("not a measurement: forks " + forks + ", warm-up " + warmupIterations
                        + " x " + warmupMs + " ms, iterations " + iterations + " x " + iterationMs + " ms");
            }
        }

        /** Forks that run: 0 forks runs in the suite's own JVM, once. */
        int runs() {
            return Math.max(1, forks);
        }
    }

    /**
     * One cell of a group as planned.
     *
     * @param params      its {@code @Param} values
     * @param requestMs   predicted time per call; NaN when no earlier run measured the cell
     * @param samples     samples it is predicted to get (a lower bound when its time is unknown)
     * @param predictedMs predicted wall time of the cell over all forks, setup included
     */
    public record Cell(Map<String, String> params, double requestMs, long samples, long predictedMs) {
        public Cell {
            params = Map.copyOf(params);
        }

        public boolean predicted() {
            return !Double.isNaN(requestMs);
        }
    }

    /**
     * A group with its measurement and its cells.
     *
     * @param group       the JMH run
     * @param measurement how it is measured
     * @param cells       one per method and parameter combination
     */
    public record GroupPlan(Plan.Group group, Measurement measurement, List<Cell> cells) {
        public GroupPlan {
            cells = List.copyOf(cells);
        }

        /** Fork starts plus the cells. */
        public long predictedMs() {
            return measurement.runs() * FORK_START_MS + cells.stream().mapToLong(Cell::predictedMs).sum();
        }

        /** The fewest samples a cell of the group is predicted to get. */
        public long minSamples() {
            return cells.stream().mapToLong(Cell::samples).min().orElse(0);
        }
    }

    /**
     * The measurement of every group of a run.
     *
     * @param minSamples the minimum per cell asked for
     * @param prior      where request times were predicted from; empty for nowhere
     * @param groups     in run order
     */
    public record SamplePlan(int minSamples, String prior, List<GroupPlan> groups) {
        public SamplePlan {
            groups = List.copyOf(groups);
        }

        public long predictedMs() {
            return groups.stream().mapToLong(GroupPlan::predictedMs).sum();
        }

        /** Every cell of every group. */
        public List<Cell> cells() {
            return groups.stream().flatMap(g -> g.cells().stream()).toList();
        }

        /** The plan of {@code group}, which must be one of the plan's. */
        public GroupPlan of(Plan.Group group) {
            return groups.stream().filter(g -> g.group().equals(group)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("not in the plan: " + group));
        }
    }

    /** Plans {@code groups} with the run's {@code settings}: each cell at least {@code minSamples} (0: the settings as they are). */
    public static SamplePlan plan(List<Plan.Group> groups, JmhSettings settings, int minSamples, RequestTimes prior) {
        if (minSamples < 0) {
            throw new IllegalArgumentException("minSamples " + minSamples);
        }
        List<GroupPlan> out = new ArrayList<>();
        for (Plan.Group g : groups) {
            Measurement m = measurement(g, settings, minSamples);
            List<Cell> cells = new ArrayList<>();
            for (String method : g.methods()) {
                for (Map<String, String> params : combinations(g.params())) {
                    OptionalDouble mean = prior.meanMs(g.benchmark(), method, params);
                    cells.add(cell(params, m, mean.isPresent() ? mean.getAsDouble() : Double.NaN));
                }
            }
            out.add(new GroupPlan(g, m, cells));
        }
        return new SamplePlan(minSamples, prior.source(), out);
    }

    /** The settings of one group: iterations raised to the minimum, their time shortened to keep a fast cell's measurement time. */
    static Measurement measurement(Plan.Group g, JmhSettings s, int minSamples) {
        int runs = Math.max(1, s.forks());
        int needed = (minSamples + runs - 1) / runs;
        long warmupMs = TimeValue.fromString(s.warmupTime()).convertTo(TimeUnit.MILLISECONDS);
        if (g.singleShot()) {
            int shots = Math.max(Plan.COLD_START_SHOTS_PER_ITERATION * s.iterations(), needed);
            return new Measurement(s.forks(), s.warmupIterations(), Math.max(1, warmupMs), shots, 1, true);
        }
        long timeMs = TimeValue.fromString(s.time()).convertTo(TimeUnit.MILLISECONDS);
        int iterations = Math.max(s.iterations(), needed);
        long iterationMs = iterations == s.iterations() ? timeMs : Math.max(MIN_ITERATION_MS, s.iterations() * timeMs / iterations);
        return new Measurement(s.forks(), s.warmupIterations(), Math.max(1, warmupMs), iterations, Math.max(1, iterationMs), false);
    }

    /**
     * A cell's samples and wall time: a timed iteration of {@code T} runs {@code ceil(T / r)} calls of
     * {@code r} (the last one overruns), a single-shot iteration one call; the setup makes one call.
     */
    static Cell cell(Map<String, String> params, Measurement m, double requestMs) {
        int runs = m.runs();
        if (Double.isNaN(requestMs)) {
            long perFork = CELL_SETUP_MS + (m.singleShot() ? 0 : m.warmupIterations() * m.warmupMs() + m.iterations() * m.iterationMs());
            return new Cell(params, requestMs, (long) runs * m.iterations(), runs * perFork);
        }
        double r = Math.max(requestMs, 1e-3);
        long samples;
        double perFork = CELL_SETUP_MS + r;
        if (m.singleShot()) {
            samples = (long) runs * m.iterations();
            perFork += (m.warmupIterations() + m.iterations()) * r;
        } else {
            long callsPerIteration = (long) Math.ceil(m.iterationMs() / r);
            samples = (long) runs * m.iterations() * callsPerIteration;
            perFork += m.warmupIterations() * Math.ceil(m.warmupMs() / r) * r + m.iterations() * callsPerIteration * r;
        }
        return new Cell(params, requestMs, samples, Math.round(runs * perFork));
    }

    /**
     * The cells of {@code matrix} whose request time in the earlier run exceeds {@code maxRequestMs}:
     * what the default matrix leaves out. A cell the earlier run did not measure stays.
     *
     * @param headline {@code Class.method} of the benchmark whose cells are the matrix (benchmarks.json)
     */
    public static Set<Matrix.Cell> slowCells(Matrix matrix, RequestTimes prior, double maxRequestMs, String headline) {
        String benchmark = headline.substring(0, headline.indexOf('.'));
        String method = headline.substring(headline.indexOf('.') + 1);
        Set<Matrix.Cell> out = new LinkedHashSet<>();
        for (Matrix.Cell c : matrix.cells()) {
            OptionalDouble ms = prior.meanMs(benchmark, method,
                    Map.of("model", c.model(), "operator", c.operator(), "deployment", c.deployment(), "linkDelay", "simulated"));
            if (ms.isPresent() && ms.getAsDouble() > maxRequestMs) {
                out.add(c);
            }
        }
        return out;
    }

    /** Every combination of the values of {@code params}, in JMH's order (the last parameter varies fastest). */
    static List<Map<String, String>> combinations(Map<String, List<String>> params) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : out) {
                for (String v : e.getValue()) {
                    Map<String, String> one = new LinkedHashMap<>(partial);
                    one.put(e.getKey(), v);
                    next.add(one);
                }
            }
            out = next;
        }
        return out;
    }
}
