package org.tiermark.report;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns what a report reads into its content, in the order the report shows it: problems of the
 * run ({@link RunProblems}), the headline table ({@link DeploymentTable}), the shared-tier load
 * tables ({@link LoadTables}, read from the run folder), target checks
 * ({@link TargetChecks}), the studies' trade-off tables ({@link TradeOffTables}) with their
 * statistics ({@link TradeOffStatistics}), accuracy and its tests ({@link AccuracyTables}),
 * recommendations and the table of every benchmark. No files written here.
 */
public final class Analysis {
    private Analysis() {}

    /** Builds the whole report; {@code gate} and {@code plots} are made by the caller and passed through. */
    public static Report analyze(RunInputs in, ReportOptions options, Gate.Result gate, List<String> plots,
                                 List<TradeOffGroup> tradeOffs) {
        List<Measurement> ms = in.measurements();
        List<String> problems = RunProblems.of(in);
        List<Table> tables = new ArrayList<>();
        Table headline = DeploymentTable.of(ms, in.stages(), in.headline());
        if (headline != null) {
            tables.add(headline);
        }
        if (Files.isDirectory(in.location())) {
            tables.addAll(LoadTables.of(in.location(), problems));
        }
        Table links = LinkValidationTable.of(ms);
        if (links != null) {
            tables.add(links);
        }
        List<Report.Check> checks = new ArrayList<>();
        if (in.targets() != null) {
            TargetChecks.Outcome targets = TargetChecks.check(in.targets(), ms, options.seed());
            tables.addAll(targets.tables());
            checks.addAll(targets.checks());
        }

        Map<String, Map<String, Double>> published = Accuracy.publishedByModel();
        List<Report.KruskalResult> kruskal = new ArrayList<>();
        List<Report.PairwiseResult> conover = new ArrayList<>();
        List<Report.EffectResult> effects = new ArrayList<>();
        List<Report.Cell> cells = new ArrayList<>();
        for (TradeOffGroup g : tradeOffs) {
            tables.addAll(TradeOffTables.of(g, in.accuracy(), published));
            cells.addAll(TradeOffTables.cells(g, in.accuracy(), published));
            TradeOffStatistics.of(g, options.alpha(), kruskal, conover, effects);
        }
        if (!tradeOffs.isEmpty()) {
            tables.add(Findings.table(Findings.of(tradeOffs, in.headline(), in.accuracy(), published)));
        }
        tables.addAll(AccuracyTables.of(in.accuracy(), published, tradeOffs));
        checks.addAll(AccuracyTables.whiteboxChecks(in.accuracy()));
        List<Report.AccuracyTest> accuracyTests = AccuracyTables.tests(in.accuracy(), options.alpha());
        Table wilcoxon = AccuracyTables.testTable(accuracyTests, options.alpha());
        if (wilcoxon != null) {
            tables.add(wilcoxon);
        }
        if (!kruskal.isEmpty()) {
            tables.add(TradeOffStatistics.kruskalTable(kruskal));
            tables.add(TradeOffStatistics.effectTable(effects));
        }
        List<Report.Recommendation> recommendations = new ArrayList<>();
        for (TradeOffGroup g : tradeOffs) {
            recommendations.addAll(Recommendations.of(g, in.accuracy(), published, options));
        }
        List<String> notes = notes(in, options, published, tradeOffs);
        List<Report.Summary> summaries = Summaries.of(tradeOffs, in.headline(), recommendations, plots, in.accuracy(), published, options);
        Table every = benchmarkTable(ms);
        if (every != null) {
            tables.add(every);
        }
        if (gate != null) {
            tables.add(0, gate.table());
        }
        String title = "tiermark report: " + in.location().getFileName();
        return new Report(Report.SCHEMA, title, in.inputs(), in.run().fields(), in.run().interruption().orElse(null), ms.size(),
                notes, summaries, problems, tables, checks, cells, kruskal, conover, effects, accuracyTests, recommendations, gate, plots);
    }

    /** What the reader must know before the recommendations: their accuracy basis, tolerance and budgets. */
    static List<String> notes(RunInputs in, ReportOptions o, Map<String, Map<String, Double>> published, List<TradeOffGroup> tradeOffs) {
        List<String> out = new ArrayList<>();
        if (tradeOffs.isEmpty()) {
            return out;
        }
        List<String> unjudged = tradeOffs.stream().map(TradeOffGroup::model).distinct()
                .filter(m -> in.accuracy().figure(published, m, DeploymentParams.IDENTITY) == null).toList();
        if (in.accuracy().entries().isEmpty()) {
            out.add("No accuracy file: recommendations are on latency only" + (unjudged.size() < tradeOffs.stream()
                    .map(TradeOffGroup::model).distinct().count() ? " except for the studies' models, judged on their published accuracy" : "")
                    + " (run 'tiermark accuracy' and report again, or give --accuracy FILE).");
        } else if (!unjudged.isEmpty()) {
            out.add("No accuracy for " + String.join(", ", unjudged) + ": recommended on latency only.");
        }
        double tol = o.accuracyTolerancePoints();
        out.add("Recommended: the fastest strategy that loses at most " + (tol == Math.rint(tol) ? String.valueOf((long) tol)
                : Format.sig(tol, 3)) + (tol == 1 ? " accuracy point" : " accuracy points") + " against identity (--accuracy-tolerance)" + (o.latencyBudgetsMs().isEmpty() ? ""
                : " and meets its deployment's latency budget (" + o.latencyBudgetsMs().entrySet().stream()
                .map(e -> e.getKey() + " " + Format.sig(e.getValue(), 4) + " ms").reduce((a, b) -> a + ", " + b).orElse("") + ")")
                + "; speed-ups with 95% bootstrap intervals, accuracy deltas with 95% intervals.");
        return out;
    }

    /** Every benchmark at every params: the report of any JMH JSON. */
    static Table benchmarkTable(List<Measurement> ms) {
        if (ms.isEmpty()) {
            return null;
        }
        Table.Builder t = new Table.Builder("benchmarks", "All benchmarks (from raw samples)",
                List.of("benchmark", "params", "mode", "unit", "samples", "iterations", "median", "p90", "p99", "mean", "min", "max"));
        for (Measurement m : ms) {
            Samples s = m.samples();
            t.row(m.shortName(), m.paramsText(), m.mode(), m.unit(), s.size(), (long) m.iterations().size(), s.median(),
                    s.quantile(0.9), s.quantile(0.99), s.mean(), s.min(), s.max());
        }
        return t.build();
    }
}
