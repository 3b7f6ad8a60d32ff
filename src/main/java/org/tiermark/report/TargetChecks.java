package org.tiermark.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tiermark.Targets;
import org.tiermark.Targets.Measure;
import org.tiermark.Targets.Target;

/**
 * Checks measurements against the targets ({@link Targets}, from {@code targets.json}): generic over
 * benchmarks and parameters, so a new target is a new entry in that file and no code here. Targets
 * measured by the same benchmark in the same way share one table, which shows every cell of that
 * benchmark (a cell no target covers is shown, not judged).
 */
final class TargetChecks {
    private TargetChecks() {}

    /** The tables and checks of {@code targets} over {@code ms}. */
    record Outcome(List<Table> tables, List<Report.Check> checks) {}

    static Outcome check(Targets targets, List<Measurement> ms, long seed) {
        List<Table> tables = new ArrayList<>();
        List<Report.Check> checks = new ArrayList<>();
        Map<String, List<Target>> byFigure = new LinkedHashMap<>();
        for (Target t : targets.targets()) {
            byFigure.computeIfAbsent(t.benchmark() + " " + t.measure(), k -> new ArrayList<>()).add(t);
        }
        for (List<Target> same : byFigure.values()) {
            String benchmark = same.get(0).benchmark();
            List<Measurement> cells = ms.stream().filter(m -> m.shortName().equals(benchmark)).toList();
            if (cells.isEmpty()) {
                continue;
            }
            Table t = switch (same.get(0).measure().kind()) {
                case PAIRED_RATIO -> pairedRatio(same, cells, checks, seed);
                case WAIT_ERROR -> waitError(same, cells, checks);
            };
            if (!t.rows().isEmpty()) {
                tables.add(t);
            }
        }
        return new Outcome(tables, checks);
    }

    private static Table pairedRatio(List<Target> same, List<Measurement> cells, List<Report.Check> checks, long seed) {
        Target first = same.get(0);
        Measure m = first.measure();
        String figure = "sum(" + m.numerator() + ") / sum(" + m.denominator() + ")";
        Table.Builder t = new Table.Builder(tableId(same), "Targets on " + first.benchmark() + ": " + figure,
                List.of("params", "ratio", "95% CI low", "95% CI high", "target", "max", "pass"));
        List<Measurement> sorted = new ArrayList<>(cells);
        sorted.sort(Comparator.comparing(Measurement::paramsText));
        for (Measurement cell : sorted) {
            Bootstrap.Interval ci = pairedInterval(cell, m.numerator(), m.denominator(), seed);
            if (ci == null) {
                t.note("no paired counters " + m.numerator() + "/" + m.denominator() + " for " + cell.paramsText());
                continue;
            }
            for (Target target : covering(same, cell)) {
                Boolean pass = target == null ? null : ci.estimate() <= target.max();
                t.row(cell.paramsText(), ci.estimate(), ci.low(), ci.high(), target == null ? "" : target.id(),
                        target == null ? null : target.max(), verdict(pass));
                if (target != null) {
                    checks.add(new Report.Check(target.id(), cell.paramsText(), ci.estimate(), ci.low(), ci.high(),
                            "<= " + target.max(), pass, figure + " of " + first.benchmark() + " (both in every invocation)"));
                }
            }
        }
        same.forEach(x -> t.note(x.id() + ": " + x.what() + "; at most " + x.max() + "."
                + (checks.stream().anyMatch(c -> c.target().equals(x.id())) ? "" : " Not measured in this run: no cell has "
                + x.params() + " (e.g. its variant was not built; run.json's skipped variants say why).")));
        t.note("Both sides are measured in every invocation, so both see the same load. CI: bootstrap over forks, then iterations.");
        return t.build();
    }

    private static Table waitError(List<Target> same, List<Measurement> cells, List<Report.Check> checks) {
        Target first = same.get(0);
        Measure m = first.measure();
        String param = m.param();
        Table.Builder t = new Table.Builder(tableId(same), "Targets on " + first.benchmark() + ": median against " + param,
                List.of(param, "median (us)", "p99 (us)", "error (us)", "error", "target", "allowed", "pass"));
        List<Measurement> sorted = new ArrayList<>(cells.stream().filter(c -> isNumber(param(c, param))).toList());
        sorted.sort(Comparator.comparingDouble(c -> Double.parseDouble(param(c, param))));
        for (Measurement cell : sorted) {
            double want = Double.parseDouble(param(cell, param));
            double toUs = cell.toMillis() * 1000;
            double median = cell.samples().median() * toUs;
            double err = median - want;
            for (Target target : covering(same, cell)) {
                Measure tm = target == null ? m : target.measure();
                double allowed = Math.max(tm.relative() * want, tm.absoluteMicros());
                boolean judged = target != null && (tm.fromMicros() == null || want >= tm.fromMicros());
                Boolean pass = judged ? Math.abs(err) <= allowed : null;
                String threshold = judged ? "|error| <= " + Format.sig(allowed, 3) + " us"
                        : target == null ? "" : "none below " + Format.sig(tm.fromMicros(), 3) + " us";
                t.row(param(cell, param), median, cell.samples().quantile(0.99) * toUs, err, err / want,
                        target == null ? "" : target.id(), judged ? allowed : null, verdict(pass));
                if (target != null) {
                    checks.add(new Report.Check(target.id(), param + "=" + param(cell, param), median, Double.NaN, Double.NaN, threshold,
                            pass, "median of " + first.benchmark() + " in us against " + param));
                }
            }
        }
        same.forEach(x -> t.note(x.id() + ": " + x.what() + "; within " + Format.pct(x.measure().relative()) + " or "
                + Format.sig(x.measure().absoluteMicros(), 3) + " us, whichever is larger"
                + (x.measure().fromMicros() == null ? "" : ", from " + Format.sig(x.measure().fromMicros(), 3) + " us") + "."));
        return t.build();
    }

    /** Every target whose params cover the cell's; a list holding only null when none does (the cell is shown, not judged). */
    static List<Target> covering(List<Target> targets, Measurement cell) {
        List<Target> out = new ArrayList<>();
        for (Target t : targets) {
            boolean all = t.params().entrySet().stream().allMatch(e -> e.getValue().contains(Targets.EACH_MATRIX_MODEL)
                    || e.getValue().contains(param(cell, e.getKey())));
            if (all) {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            out.add(null);
        }
        return out;
    }

    /**
     * A cell's parameter by the name the targets use. Runs before the rename of ModelLatencyBenchmark's
     * {@code @Param variant} to {@code operator} (docs/runs/ of November 2026) name it {@code variant}:
     * the one alias, kept here so old runs are still checked.
     */
    static String param(Measurement cell, String name) {
        String v = cell.param(name);
        return v == null && name.equals("operator") ? cell.param("variant") : v;
    }

    /** sum(numerator) / sum(denominator) of two counters measured in the same iterations, with its interval, or null. */
    static Bootstrap.Interval pairedInterval(Measurement m, String numerator, String denominator, long seed) {
        List<Double> h = m.secondaryIterations().get(numerator);
        List<Double> r = m.secondaryIterations().get(denominator);
        if (h == null || r == null || h.isEmpty() || h.size() != r.size()) {
            return null;
        }
        List<Integer> forks = m.forks().stream().mapToInt(Integer::intValue).sum() == h.size() ? m.forks() : List.of();
        return Bootstrap.ratioOfPairedSums(h, r, forks, 0.95, 2000, seed);
    }

    /** The target's id when it has its benchmark to itself, else the benchmark's name. */
    private static String tableId(List<Target> same) {
        return same.size() == 1 ? same.get(0).id() : same.get(0).benchmark().toLowerCase(Locale.ROOT).replace('.', '-');
    }

    private static String verdict(Boolean pass) {
        return pass == null ? "" : pass ? "yes" : "NO";
    }

    private static boolean isNumber(String s) {
        if (s == null) {
            return false;
        }
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
