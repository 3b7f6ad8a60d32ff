package org.tiermark.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a report says, kept apart from how it is rendered: tables, checks against targets,
 * statistics, recommendations, the regression gate and the problems met on the way. Written as
 * {@code report.json} beside the Markdown, CSV and HTML renderings.
 *
 * @param interrupted  set when the run did not finish ({@code run.json} has no {@code finishedUtc}): said at the top
 * @param measurements how many measurements the inputs held
 * @param notes        what a reader must know before the figures (e.g. recommendations on latency only): said at the top
 */
public record Report(String schema, String title, List<String> inputs, Map<String, Object> run, String interrupted,
                     int measurements, List<String> notes, List<Summary> summaries, List<String> problems,
                     List<Table> tables, List<Check> checks, List<Cell> cells, List<KruskalResult> kruskal, List<PairwiseResult> conover,
                     List<EffectResult> effects, List<AccuracyTest> accuracyTests, List<Recommendation> recommendations,
                     Gate.Result gate, List<String> plots) {
    public static final String SCHEMA = "tiermark-report/3";

    /**
     * A figure against its target, e.g. harness-overhead model=minilm-l6 1.012 (&lt;= 1.03): pass.
     *
     * @param target    the target's id in {@code targets.json}
     * @param subject   the cell's params
     * @param threshold the target's condition in words
     * @param pass      null when the cell is shown but not judged
     */
    public record Check(String target, String subject, double value, double low, double high, String threshold, Boolean pass,
                        String detail) {}

    /** Why the run is incomplete (it did not finish), if it is. */
    public Optional<String> interruption() {
        return Optional.ofNullable(interrupted);
    }

    /** True when the inputs held no measurement at all. */
    public boolean measuredNothing() {
        return measurements == 0;
    }

    /** The same report with {@code more} problems after its own. */
    public Report withProblems(List<String> more) {
        List<String> all = new ArrayList<>(problems);
        all.addAll(more);
        return new Report(schema, title, inputs, run, interrupted, measurements, notes, summaries, all, tables, checks, cells, kruskal, conover,
                effects, accuracyTests, recommendations, gate, plots);
    }

    /**
     * The first page for one model: what to deploy on each deployment and overall, its latency-vs-accuracy
     * picture and the three findings that matter most.
     *
     * @param group       the trade-off group summed up (the headline benchmark's when measured)
     * @param recommended the headline recommendations in words, without the group's name
     * @param plot        the latency-vs-accuracy PNG relative to the report, or null when not drawn
     */
    public record Summary(String model, String group, List<String> recommended, String plot, List<String> findings) {}

    /** One operator on one deployment of a trade-off group, as numbers (the tables show them as text). */
    public record Cell(String tradeOff, String model, String operator, String deployment, String unit, long samples,
                       double median, double q1, double q3, double p90, double p99, Double accuracyPercent,
                       Double accuracyDeltaPoints, String accuracySource, Double speedUpVsIdentity) {}

    /**
     * Kruskal-Wallis across the levels of one factor ({@code deployment} or {@code operator}) within a trade-off group.
     *
     * @param samples   samples per level
     * @param notTested why no test was run (a level with too few samples; h and p are then NaN), or null
     */
    public record KruskalResult(String tradeOff, String fixed, String across, List<String> levels, List<Long> samples, double h,
                                int df, double p, boolean significant, String notTested) {}

    /** Conover post-hoc p-values across the levels of one factor, without and with Holm's adjustment. */
    public record PairwiseResult(String tradeOff, String fixed, String across, List<String> levels, double[][] p,
                                 double[][] pHolm) {}

    /**
     * One operator on one deployment against a reference (identity on the same deployment; the whole model on
     * each tier a split deployment spans): medians, speed-up, Mann-Whitney U and Cliff's delta.
     *
     * @param versus    the reference in words ({@code identity on mobile})
     * @param notTested why no test was run (too few samples; U, p and delta are then NaN), or null
     */
    public record EffectResult(String tradeOff, String deployment, String operator, String versus, long samples,
                               long versusSamples, double median, double versusMedian, double speedUp, double mannWhitneyU,
                               double p, double cliffsDelta, String magnitude, String notTested) {}

    /** Wilcoxon signed-rank on per-sample accuracy: identity against an operator. */
    public record AccuracyTest(String model, String operator, String metric, double identity, double value,
                               double deltaPoints, double statistic, double p, int n, String method, boolean significant) {}

    /**
     * A recommendation in words plus the figures behind it.
     *
     * @param scope             {@code deployment mobile}, {@code overall}, {@code fastest regardless}, {@code dominated}
     * @param against           the strategy's latency against each reference (identity on its deployment, the
     *                          whole model on each tier a split deployment spans)
     * @param accuracyDeltaPoints accuracy minus identity's in points, or null when not known; low/high its 95% interval
     * @param withinTolerance   false when the strategy loses more than the accuracy tolerance
     * @param headline          true for a recommended strategy; false for the fastest-regardless and dominated lines
     */
    public record Recommendation(String tradeOff, String scope, String text, String operator, String deployment,
                                 double latency, String unit, List<Versus> against, Double accuracyDeltaPoints,
                                 Double accuracyDeltaLow, Double accuracyDeltaHigh, boolean withinTolerance, boolean headline) {}

    /**
     * A strategy's latency against a reference: speed-up (reference median / strategy median) with its
     * bootstrap interval and Cliff's delta, or none of them when a cell has too few samples.
     *
     * @param samples     the strategy's sample count
     * @param versusSamples the reference's sample count
     * @param cliffsDelta NaN when not computed (too few samples)
     * @param magnitude   Cliff's delta in words, or why it was not computed
     */
    public record Versus(String versus, double speedUp, double low, double high, long samples, long versusSamples,
                         double cliffsDelta, String magnitude) {}
}
