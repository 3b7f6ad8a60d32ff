package org.tiermark.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Recommendations in words, the studies' way: for each deployment and for the user's budgets, the
 * Pareto-optimal operators (lower latency, smaller accuracy drop), how much faster than identity,
 * how many points they lose, and whether the post-hoc tests back the claim.
 */
final class Recommendations {
    private Recommendations() {}

    /** One operator on one deployment as a candidate. */
    private record Candidate(String operator, String deployment, double latency, Double drop) {}

    static List<Report.Recommendation> of(TradeOffGroup g, Accuracy ours, Map<String, Map<String, Double>> published,
                                          List<Report.PairwiseResult> conover, List<Report.EffectResult> effects,
                                          ReportOptions o) {
        List<Report.Recommendation> out = new ArrayList<>();
        Accuracy.Figure base = ours.figure(published, g.model(), DeploymentParams.IDENTITY);
        String unit = g.unit().replace("/op", "");
        List<Candidate> all = new ArrayList<>();
        for (String d : g.deployments()) {
            List<Candidate> here = new ArrayList<>();
            for (String op : g.operators()) {
                Measurement m = g.cell(op, d);
                if (m == null) {
                    continue;
                }
                Accuracy.Figure a = ours.figure(published, g.model(), op);
                Double drop = a == null || base == null ? null : base.percent() - a.percent();
                here.add(new Candidate(op, d, m.samples().median(), drop));
            }
            all.addAll(here);
            for (Candidate c : pareto(here)) {
                out.add(recommendation(g, "deployment " + d, c, unit, conover, effects, o.alpha(), true));
            }
        }
        for (Candidate c : pareto(all)) {
            out.add(recommendation(g, "overall", c, unit, conover, effects, o.alpha(), true));
        }
        if (o.maxLatencyMs() != null || o.maxAccuracyDrop() != null) {
            double toMs = Units.toMillis(g.unit());
            List<Candidate> fit = all.stream().filter(c -> o.maxLatencyMs() == null || c.latency() * toMs <= o.maxLatencyMs())
                    .filter(c -> o.maxAccuracyDrop() == null || (c.drop() != null && c.drop() <= o.maxAccuracyDrop())).toList();
            String budget = "budget" + (o.maxLatencyMs() == null ? "" : " latency <= " + Format.sig(o.maxLatencyMs(), 4) + " ms")
                    + (o.maxAccuracyDrop() == null ? "" : " accuracy drop <= " + Format.sig(o.maxAccuracyDrop(), 3) + " points");
            if (fit.isEmpty()) {
                Candidate fastest = all.stream().min(Comparator.comparingDouble(Candidate::latency)).orElse(null);
                String text = g.model() + ": no strategy meets the " + budget + (fastest == null ? ""
                        : "; the fastest is " + fastest.operator() + " on " + fastest.deployment() + " at "
                        + Format.sig(fastest.latency(), 4) + " " + unit
                        + (fastest.drop() == null ? "" : ", " + Format.sig(-fastest.drop(), 3) + " points"));
                out.add(new Report.Recommendation(g.id(), budget, text, null, null, Double.NaN, unit, null, null, false));
            } else {
                for (Candidate c : pareto(fit)) {
                    out.add(recommendation(g, budget, c, unit, conover, effects, o.alpha(), true));
                }
            }
        }
        return out;
    }

    /** Candidates no other candidate beats on both latency and accuracy drop; without accuracy, the fastest. */
    static List<Candidate> pareto(List<Candidate> cs) {
        List<Candidate> known = cs.stream().filter(c -> c.drop() != null).toList();
        if (known.isEmpty()) {
            return cs.stream().min(Comparator.comparingDouble(Candidate::latency)).map(List::of).orElse(List.of());
        }
        List<Candidate> front = new ArrayList<>();
        for (Candidate c : known) {
            boolean dominated = known.stream().anyMatch(q -> q != c && q.latency() <= c.latency() && q.drop() <= c.drop()
                    && (q.latency() < c.latency() || q.drop() < c.drop()));
            if (!dominated) {
                front.add(c);
            }
        }
        front.sort(Comparator.comparingDouble(Candidate::latency));
        return front;
    }

    /** Pareto front of (latency, accuracy) points, for plots: indices into the arrays, by latency. */
    static List<Integer> paretoIndices(double[] latency, double[] accuracy) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < latency.length; i++) {
            boolean dominated = false;
            for (int j = 0; j < latency.length && !dominated; j++) {
                dominated = j != i && latency[j] <= latency[i] && accuracy[j] >= accuracy[i]
                        && (latency[j] < latency[i] || accuracy[j] > accuracy[i]);
            }
            if (!dominated) {
                out.add(i);
            }
        }
        out.sort(Comparator.comparingDouble(i -> latency[i]));
        return out;
    }

    private static Report.Recommendation recommendation(TradeOffGroup g, String scope, Candidate c, String unit,
                                                        List<Report.PairwiseResult> conover,
                                                        List<Report.EffectResult> effects, double alpha, boolean pareto) {
        Measurement id = g.cell(DeploymentParams.IDENTITY, c.deployment());
        Double speedUp = id == null ? null : id.samples().median() / c.latency();
        StringBuilder s = new StringBuilder();
        s.append("on ").append(c.deployment()).append(", ").append(c.operator()).append(": ");
        if (c.operator().equals(DeploymentParams.IDENTITY)) {
            s.append(Format.sig(c.latency(), 4)).append(" ").append(unit);
        } else if (speedUp != null) {
            s.append(Format.sig(speedUp, 3)).append(speedUp >= 1 ? "x faster than identity" : "x the speed of identity")
                    .append(" (").append(Format.sig(c.latency(), 4)).append(" vs ").append(Format.sig(id.samples().median(), 4))
                    .append(" ").append(unit).append(")");
        } else {
            s.append(Format.sig(c.latency(), 4)).append(" ").append(unit).append(" (identity not measured there)");
        }
        if (c.drop() != null) {
            s.append(", ").append(c.drop() == 0 ? "no accuracy change" : (c.drop() < 0 ? "+" : "") + Format.sig(-c.drop(), 3) + " points");
        }
        s.append(significance(g, c, conover, alpha));
        effects.stream().filter(e -> e.tradeOff().equals(g.id()) && e.deployment().equals(c.deployment())
                        && e.operator().equals(c.operator())).findFirst()
                .ifPresent(e -> s.append(" (Cliff's delta vs identity ").append(e.magnitude()).append(")"));
        return new Report.Recommendation(g.id(), scope, g.model() + " " + s, c.operator(), c.deployment(), c.latency(), unit,
                speedUp, c.drop(), pareto);
    }

    /** ", significantly faster than every other operator" when Conover-Holm says so for each slower one. */
    private static String significance(TradeOffGroup g, Candidate c, List<Report.PairwiseResult> conover, double alpha) {
        Report.PairwiseResult pr = conover.stream().filter(p -> p.tradeOff().equals(g.id()) && p.across().equals("operator")
                && p.fixed().equals("deployment=" + c.deployment())).findFirst().orElse(null);
        if (pr == null) {
            return "";
        }
        int me = pr.levels().indexOf(c.operator());
        int slower = 0;
        int significant = 0;
        List<String> notSig = new ArrayList<>();
        for (int j = 0; j < pr.levels().size(); j++) {
            if (j == me) {
                continue;
            }
            Measurement other = g.cell(pr.levels().get(j), c.deployment());
            if (other.samples().median() > c.latency()) {
                slower++;
                if (pr.pHolm()[me][j] < alpha) {
                    significant++;
                } else {
                    notSig.add(pr.levels().get(j));
                }
            }
        }
        if (slower == 0) {
            return "";
        }
        if (significant == slower) {
            return slower == pr.levels().size() - 1 ? ", significantly faster than every other operator"
                    : ", significantly faster than the " + (slower == 1 ? "slower operator" : slower + " slower operators");
        }
        return ", not significantly faster than " + String.join(", ", notSig) + " (Conover-Holm p >= " + alpha + ")";
    }
}
