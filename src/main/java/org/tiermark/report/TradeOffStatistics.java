package org.tiermark.report;

import java.util.List;

/**
 * The studies' statistics over a trade-off group: Kruskal-Wallis and Conover across deployments (per
 * operator) and across operators (per deployment); Mann-Whitney U and Cliff's delta of each strategy
 * against its references ({@link TradeOffGroup#references}). A test with a cell of fewer than
 * {@link Stats#MIN_SAMPLES_FOR_TEST} samples is not run and the tables say so instead of a p-value.
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
            for (String op : levels) {
                Measurement m = g.cell(op, d);
                for (TradeOffGroup.Reference r : g.references(op, d)) {
                    Samples ref = r.measurement().samples();
                    String few = Stats.tooFewSamples(m.samples().size(), ref.size());
                    double speedUp = ref.median() / m.samples().median();
                    if (few != null) {
                        effects.add(new Report.EffectResult(g.id(), d, op, r.label(), m.samples().size(), ref.size(), m.samples().median(),
                                ref.median(), speedUp, Double.NaN, Double.NaN, Double.NaN, "", few));
                        continue;
                    }
                    Stats.MannWhitney mw = Stats.mannWhitney(m.samples(), ref);
                    Stats.CliffsDelta cd = Stats.cliffsDelta(m.samples(), ref);
                    effects.add(new Report.EffectResult(g.id(), d, op, r.label(), m.samples().size(), ref.size(), m.samples().median(),
                            ref.median(), speedUp, mw.u(), mw.p(), cd.delta(), cd.magnitude(), null));
                }
            }
        }
    }

    private static void across(TradeOffGroup g, String fixed, String factor, List<String> levels, List<Samples> samples,
                               double alpha, List<Report.KruskalResult> kw, List<Report.PairwiseResult> con) {
        if (levels.size() < 2) {
            return;
        }
        List<Long> sizes = samples.stream().map(Samples::size).toList();
        String few = Stats.tooFewSamples(sizes.stream().mapToLong(Long::longValue).toArray());
        if (few != null) {
            // no Conover either: its p-values would claim what the samples cannot show
            kw.add(new Report.KruskalResult(g.id(), fixed, factor, levels, sizes, Double.NaN, levels.size() - 1, Double.NaN, false, few));
            return;
        }
        Stats.Kruskal k = Stats.kruskal(samples);
        kw.add(new Report.KruskalResult(g.id(), fixed, factor, levels, sizes, k.h(), k.df(), k.p(), k.p() < alpha, null));
        con.add(new Report.PairwiseResult(g.id(), fixed, factor, levels, Stats.conover(k, false), Stats.conover(k, true)));
    }

    static Table kruskalTable(List<Report.KruskalResult> kw) {
        Table.Builder t = new Table.Builder("kruskal", "Kruskal-Wallis H tests",
                List.of("trade-off", "within", "across", "levels", "samples", "H", "df", "p", "significant"));
        kw.forEach(k -> t.row(k.tradeOff(), k.fixed(), k.across(), String.join(" ", k.levels()),
                k.samples().stream().map(String::valueOf).reduce((a, b) -> a + " " + b).orElse(""), k.notTested() == null ? k.h() : null,
                (long) k.df(), k.notTested() == null ? (Object) k.p() : k.notTested(), k.notTested() == null ? (k.significant() ? "yes" : "no") : ""));
        t.note("Conover post-hoc p-values (without and with Holm adjustment) for each tested row are in report.json and conover-*.csv. "
                + "A row with a level of fewer than " + Stats.MIN_SAMPLES_FOR_TEST + " samples is not tested.");
        return t.build();
    }

    static Table effectTable(List<Report.EffectResult> effects) {
        Table.Builder t = new Table.Builder("effects", "Each strategy against identity on its deployment and split deployments against "
                + "the whole model on each tier they span",
                List.of("trade-off", "deployment", "operator", "against", "samples", "against samples", "median", "against median",
                        "speed-up", "Mann-Whitney U", "p", "Cliff's delta", "magnitude"));
        effects.forEach(e -> t.row(e.tradeOff(), e.deployment(), e.operator(), e.versus(), e.samples(), e.versusSamples(), e.median(),
                e.versusMedian(), e.speedUp(), e.notTested() == null ? e.mannWhitneyU() : null,
                e.notTested() == null ? (Object) e.p() : e.notTested(), e.notTested() == null ? e.cliffsDelta() : null, e.magnitude()));
        t.note("Cliff's delta of the strategy's latencies against the reference's: negative = faster. Magnitudes after Romano et al. (2006). "
                + "Fewer than " + Stats.MIN_SAMPLES_FOR_TEST + " samples on either side: not tested (" + "see Stats.MIN_SAMPLES_FOR_TEST).");
        return t.build();
    }
}
