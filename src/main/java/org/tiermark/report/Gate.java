package org.tiermark.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    /** The gate's outcome. */
    public record Result(boolean failed, double threshold, double alpha, String baseline, List<Row> rows,
                         List<String> problems) {
        public List<Row> regressions() {
            return rows.stream().filter(r -> r.verdict() == Verdict.REGRESSION).toList();
        }

        public List<Row> improvements() {
            return rows.stream().filter(r -> r.verdict() == Verdict.IMPROVEMENT).toList();
        }

        /** The table printed by the build: every benchmark, regressions first. */
        public Table table() {
            Table.Builder t = new Table.Builder("gate", "Regression gate against " + baseline + " (threshold "
                    + Format.pct(threshold) + ", alpha " + alpha + "): " + (failed ? "FAILED" : "passed"),
                    List.of("benchmark", "unit", "baseline median", "median", "slowdown", "95% CI low", "95% CI high",
                            "Mann-Whitney p", "verdict"));
            List<Row> sorted = new ArrayList<>(rows);
            sorted.sort(java.util.Comparator.comparing(Row::verdict).thenComparing(Row::key));
            for (Row r : sorted) {
                t.row(r.key(), r.unit(), r.baselineMedian(), r.currentMedian(), r.slowdown(), r.low(), r.high(), r.p(),
                        r.verdict().name().toLowerCase().replace('_', ' '));
            }
            t.note("slowdown = median / baseline median (baseline / median for throughput): above 1 is slower. "
                    + "A regression needs Mann-Whitney p < alpha and the whole 95% bootstrap CI (resampling forks, then iterations within them) above 1 + threshold.");
            problems.forEach(t::note);
            return t.build();
        }
    }

    private Gate() {}

    /** Compares {@code current} with {@code baseline}, matching benchmark, mode and params. */
    public static Result compare(List<Measurement> current, List<Measurement> baseline, String baselineName,
                                 double threshold, double alpha, long seed) {
        Map<String, Measurement> base = new LinkedHashMap<>();
        baseline.forEach(m -> base.put(m.key(), m));
        List<Row> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Measurement> seen = new LinkedHashMap<>();
        for (Measurement m : current) {
            seen.put(m.key(), m);
            Measurement b = base.get(m.key());
            if (b == null) {
                problems.add("not in the baseline (new benchmark or changed params): " + m.key());
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
        boolean failed = rows.stream().anyMatch(r -> r.verdict() == Verdict.REGRESSION);
        return new Result(failed, threshold, alpha, baselineName, rows, problems);
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
