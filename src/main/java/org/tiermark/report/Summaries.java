package org.tiermark.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's first page: per model, the headline recommendations, the latency-vs-accuracy picture
 * and three findings computed from the cells: whether the fastest strategy is within the accuracy
 * tolerance, whether splitting the model over tiers pays against the best single tier, and how many
 * cells had too few samples to be tested.
 */
final class Summaries {
    private Summaries() {}

    static List<Report.Summary> of(List<TradeOffGroup> groups, String headline, List<Report.Recommendation> recommendations,
                                   List<String> plots, Accuracy ours, Map<String, Map<String, Double>> published, ReportOptions o) {
        Map<String, TradeOffGroup> byModel = new LinkedHashMap<>();
        for (TradeOffGroup g : groups) {
            TradeOffGroup had = byModel.get(g.model());
            if (had == null || (!had.benchmark().equals(headline) && g.benchmark().equals(headline))) {
                byModel.put(g.model(), g);
            }
        }
        List<Report.Summary> out = new ArrayList<>();
        for (TradeOffGroup g : byModel.values()) {
            List<Report.Recommendation> mine = recommendations.stream().filter(r -> r.tradeOff().equals(g.id())).toList();
            List<String> recommended = mine.stream().filter(Report.Recommendation::headline)
                    .map(r -> (r.scope().equals("overall") ? "**overall**: " : "") + words(g, r)).toList();
            String png = "plots/tradeoff-" + g.id() + ".png";
            out.add(new Report.Summary(g.model(), g.title(), recommended, plots.contains(png) ? png : null,
                    findings(g, mine, ours, published, o)));
        }
        return out;
    }

    private static String words(TradeOffGroup g, Report.Recommendation r) {
        String prefix = g.title() + ": ";
        return r.text().startsWith(prefix) ? r.text().substring(prefix.length()) : r.text();
    }

    static List<String> findings(TradeOffGroup g, List<Report.Recommendation> mine, Accuracy ours,
                                 Map<String, Map<String, Double>> published, ReportOptions o) {
        List<String> out = new ArrayList<>();
        double toMs = Units.toMillis(g.unit());
        Report.Recommendation fastest = mine.stream().filter(r -> r.scope().equals("fastest regardless of accuracy")).findFirst().orElse(null);
        Report.Recommendation overall = mine.stream().filter(r -> r.scope().equals("overall")).findFirst().orElse(null);
        if (fastest != null && !fastest.withinTolerance()) {
            out.add("The fastest strategy, " + fastest.operator() + " on " + fastest.deployment() + " (" + Format.sig(fastest.latency() * toMs, 4)
                    + " ms), loses " + Format.sig(-fastest.accuracyDeltaPoints(), 3) + " accuracy points: outside the tolerance"
                    + (overall == null ? "." : "; within it, " + overall.operator() + " on " + overall.deployment() + " ("
                    + Format.sig(overall.latency() * toMs, 4) + " ms)."));
        } else if (overall != null) {
            out.add("The fastest strategy overall, " + overall.operator() + " on " + overall.deployment() + " ("
                    + Format.sig(overall.latency() * toMs, 4) + " ms), is within the accuracy tolerance"
                    + (overall.accuracyDeltaPoints() == null ? " (accuracy not measured)." : "."));
        }
        List<Recommendations.Candidate> within = Recommendations.candidates(g, ours, published).stream()
                .filter(c -> c.within(o.accuracyTolerancePoints())).toList();
        Recommendations.Candidate split = within.stream().filter(c -> c.deployment().contains("-"))
                .min(Comparator.comparingDouble(Recommendations.Candidate::latency)).orElse(null);
        Recommendations.Candidate single = within.stream().filter(c -> !c.deployment().contains("-"))
                .min(Comparator.comparingDouble(Recommendations.Candidate::latency)).orElse(null);
        if (split != null && single != null) {
            double ratio = split.latency() / single.latency();
            out.add((ratio < 1 ? "Splitting pays: " : "Splitting does not pay: ") + "the best split, " + split.operator() + " on "
                    + split.deployment() + " (" + Format.sig(split.latency() * toMs, 4) + " ms), is " + Format.sig(ratio < 1 ? 1 / ratio : ratio, 3)
                    + "x " + (ratio < 1 ? "faster" : "slower") + " than the best single tier, " + single.operator() + " on "
                    + single.deployment() + " (" + Format.sig(single.latency() * toMs, 4) + " ms).");
        }
        long cells = 0;
        long few = 0;
        for (String op : g.operators()) {
            for (String d : g.deployments()) {
                Measurement m = g.cell(op, d);
                if (m != null) {
                    cells++;
                    few += m.samples().size() < Stats.MIN_SAMPLES_FOR_TEST ? 1 : 0;
                }
            }
        }
        out.add(few == 0 ? "Every one of the " + cells + " cells has at least " + Stats.MIN_SAMPLES_FOR_TEST + " samples: all are tested."
                : few + " of " + cells + " cells have fewer than " + Stats.MIN_SAMPLES_FOR_TEST
                + " samples: their statistics are not run and their figures are rough.");
        return out;
    }
}
