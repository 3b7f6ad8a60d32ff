package org.tiermark.report;

import static org.tiermark.report.DeploymentParams.IDENTITY;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Recommendations an MLOps engineer can act on, per trade-off group: the fastest strategy on each
 * deployment and overall among those that lose at most the accuracy tolerance (and meet the
 * deployment's latency budget), the fastest regardless marked with its loss, and the dominated
 * strategies. Each statement carries its evidence: speed-up against each reference with a bootstrap
 * interval, Cliff's delta and its label, the accuracy delta with its interval.
 *
 * <p>A strategy is within the tolerance when its accuracy point estimate is at most the tolerance below
 * identity's. That is stricter than "its interval lies wholly below identity's by more than the
 * tolerance" (the interval's top is above the point, identity's bottom below its point), so no variant
 * outside the tolerance is ever headlined. Without any accuracy figure for a model, recommendations
 * are on latency only and say so.
 */
final class Recommendations {
    /** Bootstrap resamples per speed-up interval: enough for a 95% interval's ends to two digits. */
    private static final int REPLICATES = 1000;

    private Recommendations() {}

    /**
     * One strategy as a candidate.
     *
     * @param delta accuracy minus identity's in points (negative = a loss), or null when not known
     */
    record Candidate(String operator, String deployment, Measurement m, double latency, Double delta, Double deltaLow,
                     Double deltaHigh) {
        boolean within(double tolerancePoints) {
            return delta == null || delta >= -tolerancePoints;
        }
    }

    static List<Report.Recommendation> of(TradeOffGroup g, Accuracy ours, Map<String, Map<String, Double>> published,
                                          ReportOptions o) {
        List<Candidate> all = candidates(g, ours, published);
        double tol = o.accuracyTolerancePoints();
        double toMs = Units.toMillis(g.unit());
        List<Report.Recommendation> out = new ArrayList<>();
        List<Candidate> eligible = new ArrayList<>();
        for (String d : g.deployments()) {
            List<Candidate> here = all.stream().filter(c -> c.deployment().equals(d)).toList();
            Candidate best = fastest(here.stream().filter(c -> c.within(tol)).toList());
            Double budget = o.latencyBudgetsMs().get(d);
            String scope = "deployment " + d;
            if (best == null) {
                Candidate f = fastest(here);
                out.add(line(g, scope, "on " + d + ": no strategy within the " + points(tol) + " accuracy tolerance"
                        + (f == null ? "" : "; the fastest is " + f.operator() + " (" + loss(f) + ")"), f, false, tol, o));
            } else if (budget != null && !(best.latency() * toMs <= budget)) {
                out.add(line(g, scope + ", budget " + Format.sig(budget, 4) + " ms", "on " + d + ": no strategy within the "
                        + points(tol) + " tolerance meets the " + Format.sig(budget, 4) + " ms budget; the fastest within it is "
                        + best.operator() + " at " + Format.sig(best.latency() * toMs, 4) + " ms", best, false, tol, o));
            } else {
                out.add(recommendation(g, budget == null ? scope : scope + ", budget " + Format.sig(budget, 4) + " ms", best, tol, true, o));
                eligible.add(best);
            }
        }
        Candidate overall = fastest(eligible);
        if (overall != null) {
            out.add(recommendation(g, "overall", overall, tol, true, o));
        }
        Candidate any = fastest(all);
        if (any != null && !any.equals(overall)) {
            out.add(recommendation(g, "fastest regardless of accuracy", any, tol, false, o));
        }
        List<String> dominated = new ArrayList<>();
        for (Candidate c : all) {
            Candidate by = dominator(c, all);
            if (by != null) {
                dominated.add(c.operator() + " on " + c.deployment() + " (by " + by.operator() + " on " + by.deployment() + ")");
            }
        }
        if (!dominated.isEmpty()) {
            out.add(new Report.Recommendation(g.id(), "dominated", g.title() + ": dominated (another strategy is at least as fast "
                    + "and as accurate): " + String.join(", ", dominated), null, null, Double.NaN, unit(g), List.of(), null, null,
                    null, false, false));
        }
        return out;
    }

    /** Every measured cell of the group with its accuracy against identity's. */
    static List<Candidate> candidates(TradeOffGroup g, Accuracy ours, Map<String, Map<String, Double>> published) {
        Accuracy.Figure base = ours.figure(published, g.model(), IDENTITY);
        List<Candidate> out = new ArrayList<>();
        for (String d : g.deployments()) {
            for (String op : g.operators()) {
                Measurement m = g.cell(op, d);
                if (m == null) {
                    continue;
                }
                Accuracy.Figure a = ours.figure(published, g.model(), op);
                boolean known = a != null && base != null;
                out.add(new Candidate(op, d, m, m.samples().median(), known ? a.percent() - base.percent() : null,
                        known && a.low() != null ? a.low() - base.percent() : null,
                        known && a.high() != null ? a.high() - base.percent() : null));
            }
        }
        return out;
    }

    private static Candidate fastest(List<Candidate> cs) {
        return cs.stream().min(Comparator.comparingDouble(Candidate::latency)).orElse(null);
    }

    /** A candidate at least as fast and as accurate, better in one, or null; only among known accuracies. */
    private static Candidate dominator(Candidate c, List<Candidate> all) {
        if (c.delta() == null) {
            return null;
        }
        return all.stream().filter(q -> q != c && q.delta() != null && q.latency() <= c.latency() && q.delta() >= c.delta()
                && (q.latency() < c.latency() || q.delta() > c.delta())).min(Comparator.comparingDouble(Candidate::latency)).orElse(null);
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

    private static String unit(TradeOffGroup g) {
        return g.unit().replace("/op", "");
    }

    private static String points(double tol) {
        String n = tol == Math.rint(tol) ? String.valueOf((long) tol) : Format.sig(tol, 3);
        return n + "-point";
    }

    /** The accuracy change in words with its interval. */
    private static String loss(Candidate c) {
        if (c.delta() == null) {
            return "accuracy not measured";
        }
        String interval = c.deltaLow() == null ? "" : " [" + signed(c.deltaLow()) + ", " + signed(c.deltaHigh()) + "]";
        return "accuracy " + (c.delta() == 0 ? "unchanged" : signed(c.delta()) + " points") + interval;
    }

    private static String signed(double v) {
        return (v > 0 ? "+" : "") + Format.sig(v, 3);
    }

    private static Report.Recommendation line(TradeOffGroup g, String scope, String text, Candidate c, boolean headline,
                                              double tol, ReportOptions o) {
        return new Report.Recommendation(g.id(), scope, g.title() + ": " + text, c == null ? null : c.operator(),
                c == null ? null : c.deployment(), c == null ? Double.NaN : c.latency(), unit(g), List.of(),
                c == null ? null : c.delta(), c == null ? null : c.deltaLow(), c == null ? null : c.deltaHigh(),
                c != null && c.within(tol), headline);
    }

    private static Report.Recommendation recommendation(TradeOffGroup g, String scope, Candidate c, double tol, boolean headline,
                                                        ReportOptions o) {
        String unit = unit(g);
        List<Report.Versus> against = versus(g, c, o);
        StringBuilder s = new StringBuilder(g.title()).append(": on ").append(c.deployment()).append(": ").append(c.operator())
                .append(", ").append(Format.sig(c.latency(), 4)).append(" ").append(unit).append(" (").append(c.m().samples().size())
                .append(" samples)");
        for (Report.Versus v : against) {
            s.append("; ").append(Format.sig(v.speedUp(), 3)).append("x [").append(Format.sig(v.low(), 3)).append(", ")
                    .append(Format.sig(v.high(), 3)).append("] ").append(v.speedUp() >= 1 ? "faster than " : "the speed of ")
                    .append(v.versus());
            s.append(Double.isNaN(v.cliffsDelta()) ? " (" + v.magnitude() + ")"
                    : " (Cliff's delta " + Format.sig(v.cliffsDelta(), 2) + ", " + v.magnitude() + ")");
        }
        s.append("; ").append(c.operator().equals(IDENTITY) ? "the unchanged model" : loss(c));
        if (c.delta() != null && !c.operator().equals(IDENTITY)) {
            s.append(c.within(tol) ? " (within the " + points(tol) + " tolerance)" : " (OUTSIDE the " + points(tol) + " tolerance)");
        }
        return new Report.Recommendation(g.id(), scope, s.toString(), c.operator(), c.deployment(), c.latency(), unit, against,
                c.delta(), c.deltaLow(), c.deltaHigh(), c.within(tol), headline);
    }

    /** The candidate against each of its references, with a speed-up interval and Cliff's delta when both have enough samples. */
    static List<Report.Versus> versus(TradeOffGroup g, Candidate c, ReportOptions o) {
        List<Report.Versus> out = new ArrayList<>();
        for (TradeOffGroup.Reference r : g.references(c.operator(), c.deployment())) {
            Measurement ref = r.measurement();
            Bootstrap.Interval iv = Bootstrap.ratioOfMedians(ref, c.m(), 0.95, REPLICATES, o.seed() + Objects.hash(c.operator(), c.deployment()));
            long n = c.m().samples().size();
            long rn = ref.samples().size();
            String few = Stats.tooFewSamples(n, rn);
            Stats.CliffsDelta cd = few == null ? Stats.cliffsDelta(c.m().samples(), ref.samples()) : null;
            out.add(new Report.Versus(r.label(), iv.estimate(), iv.low(), iv.high(), n, rn, cd == null ? Double.NaN : cd.delta(),
                    cd == null ? few : cd.magnitude()));
        }
        return out;
    }
}
