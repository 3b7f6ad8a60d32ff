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
        g.deployments().forEach(d -> cols.add(d + " median [IQR] (" + u + ")"));
        cols.addAll(List.of("accuracy (%)", "delta vs identity (points)", "accuracy source"));
        Table.Builder t = new Table.Builder("tradeoff-" + g.id(), "Trade-off: " + g.title(), cols);
        Accuracy.Figure base = ours.figure(published, g.model(), IDENTITY);
        for (String op : g.operators()) {
            List<Object> row = new ArrayList<>(List.of(op));
            for (String d : g.deployments()) {
                Measurement m = g.cell(op, d);
                row.add(m == null ? null : new Table.Spread(m.samples().median(), m.samples().quantile(0.25), m.samples().quantile(0.75)));
            }
            Accuracy.Figure a = ours.figure(published, g.model(), op);
            row.add(a == null ? null : a.percent());
            row.add(a == null || base == null ? null : a.percent() - base.percent());
            row.add(a == null ? null : a.source());
            t.row(row);
        }
        t.note("Cells: median [first quartile, third quartile] of the raw samples. Accuracy: tiermark's accuracy.json, else the studies' published figure.");
        List<Table> out = new ArrayList<>(List.of(t.build()));
        if (g.operators().contains(IDENTITY) && g.operators().size() > 1) {
            List<String> sc = new ArrayList<>(List.of("operator"));
            g.deployments().forEach(d -> sc.add(d + " speed-up"));
            Table.Builder s = new Table.Builder("speedup-" + g.id(), "Speed-up vs identity on the same deployment: " + g.title(), sc);
            for (String op : g.operators()) {
                List<Object> row = new ArrayList<>(List.of(op));
                for (String d : g.deployments()) {
                    Measurement m = g.cell(op, d);
                    Measurement id = g.cell(IDENTITY, d);
                    row.add(m == null || id == null ? null : id.samples().median() / m.samples().median());
                }
                s.row(row);
            }
            s.note("median(identity) / median(operator): above 1 is faster than identity.");
            out.add(s.build());
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
