package org.tiermark.report;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * How to report a run.
 *
 * @param baseline a run folder or JMH JSON to gate against, or null for no regression gate
 * @param threshold relative slowdown that counts as a regression (0.10 = 10% slower median)
 * @param alpha significance level of the tests (gate, post-hoc tests, recommendations)
 * @param accuracyTolerancePoints how many accuracy points (percentage points) below identity a variant may lose
 *                                and still be recommended; applied to every recommendation
 * @param latencyBudgetsMs latency budget per deployment ({@code mobile}, {@code edge}, {@code mobile-edge}, ...) in
 *                         milliseconds; deployments without one have no budget
 * @param accuracy an accuracy file to use instead of the run folder's {@code accuracy.json}, or null
 * @param plots whether to draw plots (PNG and SVG)
 * @param seed seed of the bootstrap resampling
 * @param requireAll the gate fails when a benchmark of the run has no baseline
 * @param targets a targets file to check instead of the run's {@code targets.json}, or null
 */
public record ReportOptions(Path baseline, double threshold, double alpha, double accuracyTolerancePoints,
                            Map<String, Double> latencyBudgetsMs, Path accuracy, boolean plots, long seed, boolean requireAll,
                            Path targets) {
    public static final double DEFAULT_THRESHOLD = 0.10;
    public static final double DEFAULT_ALPHA = 0.05;
    /** One point: about the spread of the studies' own accuracy figures between runs of one variant. */
    public static final double DEFAULT_ACCURACY_TOLERANCE_POINTS = 1.0;

    public ReportOptions {
        if (!(threshold > 0 && threshold < 10)) {
            throw new IllegalArgumentException("field 'threshold': must be a positive fraction like 0.10 (got " + threshold + ")");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("field 'alpha': must be in (0, 1) (got " + alpha + ")");
        }
        if (!(accuracyTolerancePoints >= 0 && accuracyTolerancePoints <= 100)) {
            throw new IllegalArgumentException("--accuracy-tolerance: must be a number of points from 0 to 100 (got "
                    + accuracyTolerancePoints + ")");
        }
        latencyBudgetsMs = Map.copyOf(latencyBudgetsMs == null ? Map.of() : latencyBudgetsMs);
        for (var e : latencyBudgetsMs.entrySet()) {
            if (!(e.getValue() > 0 && Double.isFinite(e.getValue()))) {
                throw new IllegalArgumentException("--latency-budget " + e.getKey() + ": must be a positive number of milliseconds (got "
                        + e.getValue() + ")");
            }
        }
    }

    /** No baseline, 10% threshold, alpha 0.05, 1 point of accuracy tolerance, no latency budget, plots on. */
    public static ReportOptions defaults() {
        return new ReportOptions(null, DEFAULT_THRESHOLD, DEFAULT_ALPHA, DEFAULT_ACCURACY_TOLERANCE_POINTS, Map.of(), null, true,
                20240325L, false, null);
    }

    /**
     * Parses {@code --latency-budget}: {@code deployment=ms} pairs separated by commas, e.g.
     * {@code mobile=50,edge=20}; the message names the option and the part that is wrong.
     */
    public static Map<String, Double> parseLatencyBudgets(String text) {
        Map<String, Double> out = new TreeMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw new IllegalArgumentException("--latency-budget: '" + p + "' is not DEPLOYMENT=MS (e.g. mobile=50,edge=20)");
            }
            String deployment = p.substring(0, eq).trim();
            if (!deployment.matches("[a-z]+(-[a-z]+)*")) {
                throw new IllegalArgumentException("--latency-budget: '" + deployment
                        + "' is not a deployment name (mobile, edge, cloud, mobile-edge, edge-cloud, mobile-cloud)");
            }
            double ms;
            try {
                ms = Double.parseDouble(p.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--latency-budget " + deployment + ": '" + p.substring(eq + 1).trim()
                        + "' is not a number of milliseconds");
            }
            if (!(ms > 0 && Double.isFinite(ms))) {
                throw new IllegalArgumentException("--latency-budget " + deployment + ": must be a positive number of milliseconds (got "
                        + p.substring(eq + 1).trim() + ")");
            }
            out.put(deployment, ms);
        }
        return out;
    }

    public ReportOptions withBaseline(Path b) {
        return new ReportOptions(b, threshold, alpha, accuracyTolerancePoints, latencyBudgetsMs, accuracy, plots, seed, requireAll, targets);
    }

    public ReportOptions withBudgets(double tolerancePoints, Map<String, Double> budgetsMs) {
        return new ReportOptions(baseline, threshold, alpha, tolerancePoints, budgetsMs, accuracy, plots, seed, requireAll, targets);
    }

    public ReportOptions withThreshold(double t) {
        return new ReportOptions(baseline, t, alpha, accuracyTolerancePoints, latencyBudgetsMs, accuracy, plots, seed, requireAll, targets);
    }

    public ReportOptions withAccuracy(Path a) {
        return new ReportOptions(baseline, threshold, alpha, accuracyTolerancePoints, latencyBudgetsMs, a, plots, seed, requireAll, targets);
    }

    public ReportOptions withPlots(boolean p) {
        return new ReportOptions(baseline, threshold, alpha, accuracyTolerancePoints, latencyBudgetsMs, accuracy, p, seed, requireAll, targets);
    }

    public ReportOptions withRequireAll(boolean r) {
        return new ReportOptions(baseline, threshold, alpha, accuracyTolerancePoints, latencyBudgetsMs, accuracy, plots, seed, r, targets);
    }

    public ReportOptions withTargets(Path t) {
        return new ReportOptions(baseline, threshold, alpha, accuracyTolerancePoints, latencyBudgetsMs, accuracy, plots, seed, requireAll, t);
    }
}
