package org.tiermark.report;

import static org.tiermark.report.DeploymentParams.IDENTITY;

import java.util.List;

/**
 * The studies' statistics over a trade-off group: Kruskal-Wallis and Conover across deployments (per
 * operator) and across operators (per deployment); Mann-Whitney U and Cliff's delta of each operator
 * against identity.
 */
final class TradeOffStatistics {
    private TradeOffStatistics() {}

    /** Adds the tests of {@code g} to the three lists. */
    static void of(TradeOffGroup g, double alpha, List<Report.KruskalResult> kw, List<Report.PairwiseResult> con,
                   List<Report.EffectResult> effects) {
        for (String op : g.operators()) {
            List<String> levels = g.deployments().stream().filter(d -> g.cell(op, d) != null).toList();
            across(g, "operator=" + op, "deployment", levels, levels.stream().map(d -> g.cell(op, d).samples()).toList(), alpha, kw, con);
        }
        for (String d : g.deployments()) {
            List<String> levels = g.operators().stream().filter(op -> g.cell(op, d) != null).toList();
            across(g, "deployment=" + d, "operator", levels, levels.stream().map(op -> g.cell(op, d).samples()).toList(), alpha, kw, con);
            Measurement id = g.cell(IDENTITY, d);
            if (id == null) {
                continue;
            }
            for (String op : levels) {
                if (op.equals(IDENTITY)) {
                    continue;
                }
                Measurement m = g.cell(op, d);
                Stats.MannWhitney mw = Stats.mannWhitney(m.samples(), id.samples());
                Stats.CliffsDelta cd = Stats.cliffsDelta(m.samples(), id.samples());
                effects.add(new Report.EffectResult(g.id(), d, op, IDENTITY, m.samples().median(), id.samples().median(),
                        id.samples().median() / m.samples().median(), mw.u(), mw.p(), cd.delta(), cd.magnitude()));
            }
        }
    }

    private static void across(TradeOffGroup g, String fixed, String factor, List<String> levels, List<Samples> samples,
                               double alpha, List<Report.KruskalResult> kw, List<Report.PairwiseResult> con) {
        if (levels.size() < 2) {
            return;
        }
        Stats.Kruskal k = Stats.kruskal(samples);
        kw.add(new Report.KruskalResult(g.id(), fixed, factor, levels, k.h(), k.df(), k.p(), k.p() < alpha));
        con.add(new Report.PairwiseResult(g.id(), fixed, factor, levels, Stats.conover(k, false), Stats.conover(k, true)));
    }

    static Table kruskalTable(List<Report.KruskalResult> kw) {
        Table.Builder t = new Table.Builder("kruskal", "Kruskal-Wallis H tests",
                List.of("trade-off", "within", "across", "levels", "H", "df", "p", "significant"));
        kw.forEach(k -> t.row(k.tradeOff(), k.fixed(), k.across(), String.join(" ", k.levels()), k.h(), (long) k.df(), k.p(),
                k.significant() ? "yes" : "no"));
        t.note("Conover post-hoc p-values (without and with Holm adjustment) for each row are in report.json and conover-*.csv.");
        return t.build();
    }

    static Table effectTable(List<Report.EffectResult> effects) {
        Table.Builder t = new Table.Builder("effects", "Each operator against identity on the same deployment",
                List.of("trade-off", "deployment", "operator", "median", "identity median", "speed-up", "Mann-Whitney U", "p",
                        "Cliff's delta", "magnitude"));
        effects.forEach(e -> t.row(e.tradeOff(), e.deployment(), e.operator(), e.median(), e.versusMedian(), e.speedUp(),
                e.mannWhitneyU(), e.p(), e.cliffsDelta(), e.magnitude()));
        t.note("Cliff's delta of the operator's latencies against identity's: negative = faster. Magnitudes after Romano et al. (2006).");
        return t.build();
    }
}
