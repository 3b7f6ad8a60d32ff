package org.tiermark.report;

import static org.tiermark.report.DeploymentParams.IDENTITY;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The studies' trade-off analysis of one trade-off group, as numbers: median [IQR] and accuracy per operator x deployment, speed-ups. */
final class TradeOffTables {
    private TradeOffTables() {}

    /** The trade-off table and, when identity was measured with another operator, the speed-up table. */
    static List<Table> of(TradeOffGroup g, Accuracy ours, Map<String, Map<String, Double>> published) {
        String u = g.unit().replace("/op", "");
        List<String> cols = new ArrayList<>(List.of("operator"));
        g.deployments().forEach(d -> cols.add(d + " median [IQR] n (" + u + ")"));
        cols.addAll(List.of("accuracy (%)", "delta vs identity (points)", "accuracy source"));
        Table.Builder t = new Table.Builder("tradeoff-" + g.id(), "Trade-off: " + g.title(), cols);
        Accuracy.Figure base = ours.figure(published, g.model(), IDENTITY);
        for (String op : g.operators()) {
            List<Object> row = new ArrayList<>(List.of(op));
            for (String d : g.deployments()) {
                Measurement m = g.cell(op, d);
                row.add(m == null ? null : new Table.Spread(m.samples().median(), m.samples().quantile(0.25), m.samples().quantile(0.75),
                        m.samples().size()));
            }
            Accuracy.Figure a = ours.figure(published, g.model(), op);
            row.add(a == null ? null : a.percent());
            row.add(a == null || base == null ? null : a.percent() - base.percent());
            row.add(a == null ? null : a.source());
            t.row(row);
        }
        t.note("Cells: median [first quartile, third quartile] and the number of raw samples n; cells with fewer than "
                + Stats.MIN_SAMPLES_FOR_TEST + " samples are not tested. Accuracy: tiermark's accuracy.json, else the studies' published figure.");
        List<Table> out = new ArrayList<>(List.of(t.build()));
        if (g.operators().contains(IDENTITY) && (g.operators().size() > 1 || !splitColumns(g).isEmpty())) {
            List<String> sc = new ArrayList<>(List.of("operator"));
            g.deployments().forEach(d -> sc.add(d + " speed-up"));
            List<String[]> splits = splitColumns(g);
            splits.forEach(st -> sc.add(st[0] + " vs whole model on " + st[1]));
            Table.Builder s = new Table.Builder("speedup-" + g.id(), "Speed-up vs identity on the same deployment: " + g.title(), sc);
            for (String op : g.operators()) {
                List<Object> row = new ArrayList<>(List.of(op));
                for (String d : g.deployments()) {
                    Measurement m = g.cell(op, d);
                    Measurement id = g.cell(IDENTITY, d);
                    row.add(m == null || id == null ? null : id.samples().median() / m.samples().median());
                }
                for (String[] st : splits) {
                    Measurement m = g.cell(op, st[0]);
                    Measurement whole = g.cell(TradeOffGroup.wholeModel(op), st[1]);
                    row.add(m == null || whole == null ? null : whole.samples().median() / m.samples().median());
                }
                s.row(row);
            }
            s.note("median(identity) / median(operator): above 1 is faster than identity."
                    + (splits.isEmpty() ? "" : " A split deployment against the whole model on each tier it spans: median(the operator "
                    + "without partition, on that tier) / median(the operator on the split deployment), as the studies judged partitioning."));
            out.add(s.build());
        }
        return out;
    }

    /** (split deployment, tier it spans) for each split deployment of the group with a whole-model cell on that tier. */
    static List<String[]> splitColumns(TradeOffGroup g) {
        List<String[]> out = new ArrayList<>();
        for (String d : g.deployments()) {
            if (!d.contains("-")) {
                continue;
            }
            for (String tier : d.split("-")) {
                if (g.deployments().contains(tier)) {
                    out.add(new String[] {d, tier});
                }
            }
        }
        return out;
    }

    /** Every measured cell of the trade-off group as numbers, for report.json. */
    static List<Report.Cell> cells(TradeOffGroup g, Accuracy ours, Map<String, Map<String, Double>> published) {
        List<Report.Cell> out = new ArrayList<>();
        Accuracy.Figure base = ours.figure(published, g.model(), IDENTITY);
        for (String op : g.operators()) {
            Accuracy.Figure a = ours.figure(published, g.model(), op);
            for (String d : g.deployments()) {
                Measurement m = g.cell(op, d);
                if (m == null) {
                    continue;
                }
                Samples s = m.samples();
                Measurement id = g.cell(IDENTITY, d);
                out.add(new Report.Cell(g.id(), g.model(), op, d, m.unit(), s.size(), s.median(), s.quantile(0.25), s.quantile(0.75),
                        s.quantile(0.9), s.quantile(0.99), a == null ? null : a.percent(),
                        a == null || base == null ? null : a.percent() - base.percent(), a == null ? null : a.source(),
                        id == null ? null : id.samples().median() / s.median()));
            }
        }
        return out;
    }
}
