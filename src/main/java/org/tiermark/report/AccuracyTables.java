package org.tiermark.report;

import static org.tiermark.report.DeploymentParams.IDENTITY;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.accuracy.AccuracyReport;

/** Accuracy in the report: our entries, the studies' published figures beside them, and Wilcoxon tests of identity against each operator. */
final class AccuracyTables {
    private AccuracyTables() {}

    /** Our accuracy entries, and the studies' published accuracies beside them (with their source). */
    static List<Table> of(Accuracy ours, Map<String, Map<String, Double>> published, List<TradeOffGroup> tradeOffs) {
        List<Table> out = new ArrayList<>();
        if (!ours.entries().isEmpty()) {
            Table.Builder t = new Table.Builder("accuracy", "Accuracy (accuracy.json)",
                    List.of("model", "operator", "metric", "value", "95% CI low", "95% CI high", "delta vs identity",
                            "agreement with identity", "samples"));
            for (AccuracyReport.Entry e : ours.entries()) {
                boolean ci = e.ci95() != null && e.ci95().length == 2;
                t.row(e.model(), e.operator(), e.metric(), e.value(), ci ? e.ci95()[0] : null, ci ? e.ci95()[1] : null,
                        e.deltaVsIdentity(), e.agreementWithIdentity(), (long) e.samples());
            }
            out.add(t.build());
        }
        boolean studiesModel = tradeOffs.stream().anyMatch(g -> published.containsKey(g.model()));
        if (!ours.entries().isEmpty() || studiesModel) {
            Table.Builder t = new Table.Builder("accuracy-published", "Accuracy published by the studies (%), for comparison",
                    List.of("model", "metric", "operator", "accuracy (%)", "delta vs identity (points)"));
            for (Accuracy.Published p : Accuracy.published()) {
                Double id = published.get(p.model()).get(IDENTITY);
                t.row(p.model(), p.metric(), p.operator(), p.percent(), id == null ? null : p.percent() - id);
            }
            t.note("Source: Singh, Adams, Hassan, arXiv 2403.17154 (black-box operators) and arXiv 2411.00907 (white-box operators); "
                    + "resource org/tiermark/report/published-accuracy.json. Their models and data (ImageNet, COCO, Cityscapes, MRPC) differ from ours.");
            out.add(t.build());
        }
        return out;
    }

    /** Wilcoxon signed-rank of identity's per-sample scores against each operator's, per model. */
    static List<Report.AccuracyTest> tests(Accuracy acc, double alpha) {
        List<Report.AccuracyTest> out = new ArrayList<>();
        Map<String, List<AccuracyReport.Entry>> byModel = new LinkedHashMap<>();
        acc.entries().forEach(e -> byModel.computeIfAbsent(e.model(), k -> new ArrayList<>()).add(e));
        for (var e : byModel.entrySet()) {
            AccuracyReport.Entry id = e.getValue().stream().filter(x -> x.operator().equals(IDENTITY)).findFirst().orElse(null);
            if (id == null || id.perSample() == null) {
                continue;
            }
            double[] idScores = id.perSampleScores();
            List<AccuracyReport.Entry> ops = e.getValue().stream().filter(x -> !x.operator().equals(IDENTITY) && x.perSample() != null
                    && x.perSample().size() == idScores.length).toList();
            double corrected = alpha / Math.max(1, ops.size());
            for (AccuracyReport.Entry op : ops) {
                Stats.Wilcoxon w = Stats.wilcoxon(idScores, op.perSampleScores());
                double scale = id.value() <= 1.0 ? 100 : 1;
                out.add(new Report.AccuracyTest(e.getKey(), op.operator(), op.metric(), id.value(), op.value(),
                        (op.value() - id.value()) * scale, w.statistic(), w.p(), w.n(), w.method(), w.p() < corrected));
            }
        }
        return out;
    }

    /** The tests as a table, or null when there are none. */
    static Table testTable(List<Report.AccuracyTest> tests, double alpha) {
        if (tests.isEmpty()) {
            return null;
        }
        Table.Builder t = new Table.Builder("accuracy-wilcoxon", "Accuracy: Wilcoxon signed-rank, identity vs operator (per sample)",
                List.of("model", "operator", "metric", "identity", "operator value", "delta (points)", "W", "p", "n (non-zero)", "method", "significant"));
        tests.forEach(a -> t.row(a.model(), a.operator(), a.metric(), a.identity(), a.value(), a.deltaPoints(),
                a.statistic(), a.p(), (long) a.n(), a.method(), a.significant() ? "yes" : "no"));
        t.note("Significant at alpha " + alpha + " Bonferroni-corrected over the operators of each model, as the studies did.");
        return t.build();
    }
}
