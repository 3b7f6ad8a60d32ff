package org.tiermark.report;

import java.util.List;
import java.util.Map;

/**
 * Everything a report says, kept apart from how it is rendered: tables, checks against targets,
 * statistics, recommendations, the regression gate and the problems met on the way. Written as
 * {@code report.json} beside the Markdown, CSV and HTML renderings.
 */
public record Report(String schema, String title, List<String> inputs, Map<String, Object> run, List<String> problems,
                     List<Table> tables, List<Check> checks, List<Cell> cells, List<KruskalResult> kruskal, List<PairwiseResult> conover,
                     List<EffectResult> effects, List<AccuracyTest> accuracyTests, List<Recommendation> recommendations,
                     Gate.Result gate, List<String> plots) {
    public static final String SCHEMA = "tiermark-report/1";

    /** A figure against its target, e.g. harness overhead 1.012 (target &lt;= 1.03): pass. */
    public record Check(String name, String subject, double value, double low, double high, String target, Boolean pass,
                        String detail) {}

    /** One operator on one deployment of a trade-off group, as numbers (the tables show them as text). */
    public record Cell(String group, String model, String operator, String deployment, String unit, long samples,
                       double median, double q1, double q3, double p90, double p99, Double accuracyPercent,
                       Double accuracyDeltaPoints, String accuracySource, Double speedUpVsIdentity) {}

    /** Kruskal-Wallis across the levels of one factor ({@code deployment} or {@code operator}) within a group. */
    public record KruskalResult(String group, String fixed, String across, List<String> levels, double h, int df,
                                double p, boolean significant) {}

    /** Conover post-hoc p-values across the levels of one factor, without and with Holm's adjustment. */
    public record PairwiseResult(String group, String fixed, String across, List<String> levels, double[][] p,
                                 double[][] pHolm) {}

    /** One operator against identity on one deployment: medians, speed-up, Mann-Whitney U and Cliff's delta. */
    public record EffectResult(String group, String deployment, String operator, String versus, double median,
                               double versusMedian, double speedUp, double mannWhitneyU, double p, double cliffsDelta,
                               String magnitude) {}

    /** Wilcoxon signed-rank on per-sample accuracy: identity against an operator. */
    public record AccuracyTest(String model, String operator, String metric, double identity, double value,
                               double deltaPoints, double statistic, double p, int n, String method, boolean significant) {}

    /** A recommendation in words plus the figures behind it. */
    public record Recommendation(String group, String scope, String text, String operator, String deployment,
                                 double latency, String unit, Double speedUp, Double accuracyDropPoints, boolean pareto) {}
}
