package org.tiermark.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;

/**
 * The performance-regression gate: each benchmark at each params against the same one in a baseline.
 * A regression is a median slower by more than the threshold whose difference is also significant
 * twice over: Mann-Whitney U on the raw samples (p &lt; alpha) and a 95% bootstrap interval of the
 * median ratio, resampling forks and then iterations, that lies wholly above 1 + threshold (a one-sided test at
 * 2.5% that the slowdown exceeds the threshold). The second condition is what keeps A/A runs on a
 * noisy shared machine from tripping it: raw samples alone make any shift significant, and one
 * disturbed iteration can move a pooled median by more than 10%.
 *
 * <p>A gate never passes on nothing: when no benchmark of the current run has a baseline (an empty
 * or foreign baseline, a killed run, a run of other models) it fails and says why; cells without a
 * baseline are listed, and fail it when {@code requireAll} is set.
 */
public final class Gate {
    /** What one benchmark did against the baseline. */
    public enum Verdict { REGRESSION, IMPROVEMENT, SLOWER_NOT_SIGNIFICANT, FASTER_NOT_SIGNIFICANT, UNCHANGED }

    /**
     * One benchmark against its baseline; {@code slowdown} is current/baseline for times,
     * baseline/current for throughputs, so above 1 is always worse.
     */
    public record Row(String key, String unit, double baselineMedian, double currentMedian, double slowdown,
                      double low, double high, double p, Verdict verdict) {}

    /** Why a gate passed or failed. */
    public enum Outcome {
        PASSED,
        /** a benchmark is significantly slower than its baseline */
        REGRESSED,
        /** the baseline holds no measurement at all (empty folder, killed run, not JMH JSON) */
        BASELINE_EMPTY,
        /** the baseline has measurements, but none of the current run's benchmarks */
        NOTHING_COMPARED,
        /** {@code requireAll}: some benchmarks of the current run have no baseline */
        UNCOVERED
    }

    /**
     * The gate's outcome.
     *
     * @param uncovered current benchmarks with no baseline (new benchmark or changed params)
     * @param reason    one sentence saying why it failed; empty when it passed
     */
    public record Result(Outcome outcome, double threshold, double alpha, String baseline, List<Row> rows,
                         List<String> uncovered, List<String> problems, String reason) {
        public Result {
            rows = List.copyOf(rows);
            uncovered = List.copyOf(uncovered);
            problems = List.copyOf(problems);
        }

        public boolean failed() {
            return outcome != Outcome.PASSED;
        }

        /** The same result with {@code more} problems (e.g. about the baseline's files) added first. */
        public Result withProblemsFirst(List<String> more) {
            List<String> all = new ArrayList<>(more);
            all.addAll(problems);
            return new Result(outcome, threshold, alpha, baseline, rows, uncovered, all, reason);
        }

        public List<Row> regressions() {
            return rows.stream().filter(r -> r.verdict() == Verdict.REGRESSION).toList();
        }

        public List<Row> improvements() {
            return rows.stream().filter(r -> r.verdict() == Verdict.IMPROVEMENT).toList();
        }

        /** The table printed by the build: every benchmark, regressions first. */
        public Table table() {
            Table.Builder t = new Table.Builder("gate", "Regression gate against " + baseline + " (threshold "
                    + Format.pct(threshold) + ", alpha " + alpha + "): " + (failed() ? "FAILED: " + reason : "passed"),
                    List.of("benchmark", "unit", "baseline median", "median", "slowdown", "95% CI low", "95% CI high",
                            "Mann-Whitney p", "verdict"));
            List<Row> sorted = new ArrayList<>(rows);
            sorted.sort(Comparator.comparing(Row::verdict).thenComparing(Row::key));
            for (Row r : sorted) {
                t.row(r.key(), r.unit(), r.baselineMedian(), r.currentMedian(), r.slowdown(), r.low(), r.high(), r.p(),
                        r.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            }
            for (String key : uncovered) {
                t.row(key, null, null, null, null, null, null, null, "no baseline");
            }
            t.note("slowdown = median / baseline median (baseline / median for throughput): above 1 is slower. "
                    + "A regression needs Mann-Whitney p < alpha and the whole 95% bootstrap CI (resampling forks, then iterations within them) above 1 + threshold.");
            problems.forEach(t::note);
            return t.build();
        }
    }

    private Gate() {}

    /** Compares {@code current} with {@code baseline}, matching benchmark, mode and params; cells without a baseline are listed. */
    public static Result compare(List<Measurement> current, List<Measurement> baseline, String baselineName,
                                 double threshold, double alpha, long seed) {
        return compare(current, baseline, baselineName, threshold, alpha, seed, false);
    }

    /** As {@link #compare(List, List, String, double, double, long)}; {@code requireAll}: a cell without a baseline fails the gate. */
    public static Result compare(List<Measurement> current, List<Measurement> baseline, String baselineName,
                                 double threshold, double alpha, long seed, boolean requireAll) {
        Map<String, Measurement> base = new LinkedHashMap<>();
        baseline.forEach(m -> base.put(m.key(), m));
        List<Row> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> uncovered = new ArrayList<>();
        Map<String, Measurement> seen = new LinkedHashMap<>();
        for (Measurement m : current) {
            seen.put(m.key(), m);
            Measurement b = base.get(m.key());
            if (b == null) {
                uncovered.add(m.key());
                continue;
            }
            double scale = unitScale(m, b);
            if (Double.isNaN(scale)) {
                problems.add("units differ and cannot be converted (" + b.unit() + " vs " + m.unit() + "): " + m.key());
                continue;
            }
            Measurement bs = scale == 1.0 ? b : b.scaled(scale);
            rows.add(row(m, bs, threshold, alpha, seed));
        }
        base.keySet().stream().filter(k -> !seen.containsKey(k))
                .forEach(k -> problems.add("in the baseline but not measured now (failed or removed): " + k));
        if (!uncovered.isEmpty()) {
            problems.add(0, uncovered.size() + " of " + current.size() + " benchmarks have no baseline (new benchmark or changed params)"
                    + (requireAll ? "" : "; --require-all makes this fail the gate") + ": " + String.join("; ", uncovered));
        }
        Outcome outcome;
        String reason;
        long regressions = rows.stream().filter(r -> r.verdict() == Verdict.REGRESSION).count();
        if (baseline.isEmpty()) {
            outcome = Outcome.BASELINE_EMPTY;
            reason = "the baseline " + baselineName + " holds no measurement (an empty folder, a killed run or not JMH JSON): nothing was compared";
        } else if (rows.isEmpty()) {
            outcome = Outcome.NOTHING_COMPARED;
            reason = current.isEmpty() ? "the current run holds no measurement: nothing was compared"
                    : "none of the " + current.size() + " benchmarks measured now is in the baseline " + baselineName
                    + " (a run of other models or params?): nothing was compared";
        } else if (regressions > 0) {
            outcome = Outcome.REGRESSED;
            reason = regressions + " of " + rows.size() + " benchmarks regressed";
        } else if (requireAll && !uncovered.isEmpty()) {
            outcome = Outcome.UNCOVERED;
            reason = uncovered.size() + " of " + current.size() + " benchmarks have no baseline and --require-all is set";
        } else {
            outcome = Outcome.PASSED;
            reason = "";
        }
        return new Result(outcome, threshold, alpha, baselineName, rows, uncovered, problems, reason);
    }

    private static double unitScale(Measurement current, Measurement baseline) {
        if (current.unit().equals(baseline.unit())) {
            return 1.0;
        }
        double a = Units.toMillis(baseline.unit());
        double b = Units.toMillis(current.unit());
        return a / b;
    }

    static Row row(Measurement m, Measurement b, double threshold, double alpha, long seed) {
        boolean higherBetter = Units.higherIsBetter(m.unit());
        Bootstrap.Interval ci = higherBetter
                ? Bootstrap.ratioOfMedians(b, m, 0.95, 2000, seed)
                : Bootstrap.ratioOfMedians(m, b, 0.95, 2000, seed);
        double p = Stats.mannWhitney(m.samples(), b.samples()).p();
        double s = ci.estimate();
        Verdict v;
        // the interval must clear the threshold itself, not just 1: "confidently slower by more than the
        // threshold". On a shared machine one disturbed iteration moves a pooled median by 10% (seen in A/A runs)
        boolean significantSlower = p < alpha && ci.above(1 + threshold);
        boolean significantFaster = p < alpha && ci.below(1 / (1 + threshold));
        if (s > 1 + threshold) {
            v = significantSlower ? Verdict.REGRESSION : Verdict.SLOWER_NOT_SIGNIFICANT;
        } else if (s < 1 / (1 + threshold)) {
            v = significantFaster ? Verdict.IMPROVEMENT : Verdict.FASTER_NOT_SIGNIFICANT;
        } else {
            v = Verdict.UNCHANGED;
        }
        return new Row(m.key(), m.unit(), b.samples().median(), m.samples().median(), s, ci.low(), ci.high(), p, v);
    }
}
