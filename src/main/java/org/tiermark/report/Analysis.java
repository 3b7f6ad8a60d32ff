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
        tables.addAll(AccuracyTables.of(in.accuracy(), published, tradeOffs));
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
            recommendations.addAll(Recommendations.of(g, in.accuracy(), published, conover, effects, options));
        }
        Table every = benchmarkTable(ms);
        if (every != null) {
            tables.add(every);
        }
        if (gate != null) {
            tables.add(0, gate.table());
        }
        String title = "tiermark report: " + in.location().getFileName();
        return new Report(Report.SCHEMA, title, in.inputs(), in.run().fields(), in.run().interruption().orElse(null), ms.size(),
                problems, tables, checks, cells, kruskal, conover, effects, accuracyTests, recommendations, gate, plots);
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
