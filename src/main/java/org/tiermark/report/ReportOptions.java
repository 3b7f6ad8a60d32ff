package org.tiermark.report;

import java.nio.file.Path;

/**
 * How to report a run.
 *
 * @param baseline a run folder or JMH JSON to gate against, or null for no regression gate
 * @param threshold relative slowdown that counts as a regression (0.10 = 10% slower median)
 * @param alpha significance level of the tests (gate, post-hoc tests, recommendations)
 * @param maxLatencyMs latency budget for recommendations, or null
 * @param maxAccuracyDrop accuracy budget for recommendations in points (percentage points), or null
 * @param accuracy an accuracy file to use instead of the run folder's {@code accuracy.json}, or null
 * @param plots whether to draw plots (PNG and SVG)
 * @param seed seed of the bootstrap resampling
 * @param requireAll the gate fails when a benchmark of the run has no baseline
 * @param targets a targets file to check instead of the run's {@code targets.json}, or null
 */
public record ReportOptions(Path baseline, double threshold, double alpha, Double maxLatencyMs, Double maxAccuracyDrop,
                            Path accuracy, boolean plots, long seed, boolean requireAll, Path targets) {
    public static final double DEFAULT_THRESHOLD = 0.10;
    public static final double DEFAULT_ALPHA = 0.05;

    public ReportOptions {
        if (!(threshold > 0 && threshold < 10)) {
            throw new IllegalArgumentException("field 'threshold': must be a positive fraction like 0.10 (got " + threshold + ")");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("field 'alpha': must be in (0, 1) (got " + alpha + ")");
        }
        if (maxLatencyMs != null && !(maxLatencyMs > 0)) {
            throw new IllegalArgumentException("field 'maxLatencyMs': must be positive (got " + maxLatencyMs + ")");
        }
        if (maxAccuracyDrop != null && !(maxAccuracyDrop >= 0)) {
            throw new IllegalArgumentException("field 'maxAccuracyDrop': must be zero or positive points (got " + maxAccuracyDrop + ")");
        }
    }

    /** No baseline, 10% threshold, alpha 0.05, no budgets, plots on. */
    public static ReportOptions defaults() {
        return new ReportOptions(null, DEFAULT_THRESHOLD, DEFAULT_ALPHA, null, null, null, true, 20240325L, false, null);
    }

    public ReportOptions withBaseline(Path b) {
        return new ReportOptions(b, threshold, alpha, maxLatencyMs, maxAccuracyDrop, accuracy, plots, seed, requireAll, targets);
    }

    public ReportOptions withBudgets(Double latencyMs, Double accuracyDropPoints) {
        return new ReportOptions(baseline, threshold, alpha, latencyMs, accuracyDropPoints, accuracy, plots, seed, requireAll, targets);
    }

    public ReportOptions withThreshold(double t) {
        return new ReportOptions(baseline, t, alpha, maxLatencyMs, maxAccuracyDrop, accuracy, plots, seed, requireAll, targets);
    }

    public ReportOptions withAccuracy(Path a) {
        return new ReportOptions(baseline, threshold, alpha, maxLatencyMs, maxAccuracyDrop, a, plots, seed, requireAll, targets);
    }

    public ReportOptions withPlots(boolean p) {
        return new ReportOptions(baseline, threshold, alpha, maxLatencyMs, maxAccuracyDrop, accuracy, p, seed, requireAll, targets);
    }

    public ReportOptions withRequireAll(boolean r) {
        return new ReportOptions(baseline, threshold, alpha, maxLatencyMs, maxAccuracyDrop, accuracy, plots, seed, r, targets);
    }

    public ReportOptions withTargets(Path t) {
        return new ReportOptions(baseline, threshold, alpha, maxLatencyMs, maxAccuracyDrop, accuracy, plots, seed, requireAll, t);
    }
}
