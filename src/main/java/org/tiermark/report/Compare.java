package org.tiermark.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.tier.LinkDelay;
import org.tiermark.tier.LinkProfile;
import org.tiermark.tier.Profiles;

/**
 * Cross-hardware (or cross-version) comparison: the same benchmarks measured in several runs, each
 * run's median against the first run's with a bootstrap interval of the ratio; and composition of
 * a deployment's end-to-end latency from stages measured on different machines plus the link model.
 */
public final class Compare {
    /** One benchmark across runs: medians (null where missing) and ratios to the first run. */
    public record Row(String key, String unit, List<Double> medians, List<Bootstrap.Interval> ratios) {}

    /** A latency composed of measured stages and modelled link transfers. */
    public record Composition(String spec, List<String> parts, long draws, double median, double p90, double p99,
                              String unit) {}

    /** The comparison. */
    public record Result(List<String> runs, List<Row> rows, Composition composition, List<String> problems) {
        public Table table() {
            List<String> cols = new ArrayList<>(List.of("benchmark", "unit"));
            for (int i = 0; i < runs.size(); i++) {
                cols.add("median #" + (i + 1));
            }
            for (int i = 1; i < runs.size(); i++) {
                cols.addAll(List.of("#" + (i + 1) + "/#1", "95% CI low", "95% CI high"));
            }
            Table.Builder t = new Table.Builder("compare", "Comparison: " + String.join(" | ", runs), cols);
            for (Row r : rows) {
                List<Object> row = new ArrayList<>(List.of(r.key(), r.unit()));
                row.addAll(r.medians());
                for (Bootstrap.Interval ci : r.ratios()) {
                    row.add(ci == null ? null : ci.estimate());
                    row.add(ci == null ? null : ci.low());
                    row.add(ci == null ? null : ci.high());
                }
                t.row(row);
            }
            t.note("Ratios are medians of run #k over run #1 (above 1: slower than #1); intervals: bootstrap over forks, then iterations.");
            problems.forEach(t::note);
            return t.build();
        }
    }

    private Compare() {}

    /** Compares the runs' measurements (already loaded, first is the reference). */
    public static Result compare(List<String> names, List<List<Measurement>> runs, long seed) {
        List<String> problems = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        List<Map<String, Measurement>> byKey = new ArrayList<>();
        for (List<Measurement> run : runs) {
            Map<String, Measurement> m = new LinkedHashMap<>();
            run.forEach(x -> m.put(x.key(), x));
            byKey.add(m);
            keys.addAll(m.keySet());
        }
        List<Row> rows = new ArrayList<>();
        for (String k : keys) {
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                if (!byKey.get(i).containsKey(k)) {
                    missing.add(i + 1);
                }
            }
            if (!missing.isEmpty()) {
                problems.add("not in run(s) " + missing + " (mismatched params or failed there): " + k
                        + hint(k, byKey, missing));
            }
            Measurement ref = byKey.get(0).get(k);
            List<Double> medians = new ArrayList<>();
            List<Bootstrap.Interval> ratios = new ArrayList<>();
            String unit = null;
            for (int i = 0; i < runs.size(); i++) {
                Measurement m = byKey.get(i).get(k);
                if (m != null && unit == null) {
                    unit = m.unit();
                }
                Measurement conv = m == null || unit == null || m.unit().equals(unit) ? m
                        : m.scaled(Units.toMillis(m.unit()) / Units.toMillis(unit));
                medians.add(conv == null ? null : conv.samples().median());
                if (i > 0) {
                    Measurement r0 = ref == null || ref.unit().equals(unit) ? ref : ref.scaled(Units.toMillis(ref.unit()) / Units.toMillis(unit));
                    ratios.add(conv == null || r0 == null ? null : Bootstrap.ratioOfMedians(conv, r0, 0.95, 2000, seed));
                }
            }
            rows.add(new Row(k, unit, medians, ratios));
        }
        return new Result(names, rows, null, problems);
    }

    /** Which params differ from a measurement of the same benchmark in the runs that lack the key. */
    private static String hint(String key, List<Map<String, Measurement>> runs, List<Integer> missing) {
        String bench = key.split(" ")[0];
        for (int i : missing) {
            for (String other : runs.get(i - 1).keySet()) {
                if (other.split(" ")[0].equals(bench)) {
                    return "; run " + i + " has " + other;
                }
            }
        }
        return "";
    }

    /**
     * Composes an end-to-end latency from a spec of comma-separated parts {@code label=SOURCE}:
     * a measured stage {@code RUN:SELECTOR} (RUN = 1-based index of the runs, SELECTOR =
     * {@code Benchmark.method;param=value;...}, matching exactly one measurement) or a link transfer
     * {@code FROM>TO:BYTES} over the route between two tiers in {@code profiles}. Draws
     * {@code draws} independent sums of one sample per stage plus each transfer's modelled time.
     */
    public static Composition compose(String spec, List<List<Measurement>> runs, Profiles profiles, int draws, long seed) {
        List<String> labels = new ArrayList<>();
        List<Samples> stages = new ArrayList<>();
        List<Double> stageToMs = new ArrayList<>();
        List<List<LinkProfile>> routes = new ArrayList<>();
        List<Long> routeBytes = new ArrayList<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("--compose: part '" + part + "' must be label=SOURCE, e.g. head=1:DeploymentBenchmark.request;deployment=mobile or link=mobile>edge:49152");
            }
            String label = part.substring(0, eq).trim();
            String src = part.substring(eq + 1).trim();
            if (src.matches("[a-z0-9-]+>[a-z0-9-]+:\\d+")) {
                String[] ft = src.split("[>:]");
                if (profiles == null) {
                    throw new InvalidInputException("--compose: link part '" + part + "' needs the profiles (give --home)");
                }
                routes.add(profiles.route(ft[0], ft[1]));
                routeBytes.add(Long.parseLong(ft[2]));
                labels.add(label + "=" + src + " (link model)");
                continue;
            }
            int colon = src.indexOf(':');
            if (colon <= 0) {
                throw new InvalidInputException("--compose: part '" + part + "': SOURCE must be RUN:SELECTOR or FROM>TO:BYTES");
            }
            int run;
            try {
                run = Integer.parseInt(src.substring(0, colon));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--compose: part '" + part + "': RUN must be the 1-based index of a run given (1.." + runs.size() + ")");
            }
            if (run < 1 || run > runs.size()) {
                throw new InvalidInputException("--compose: part '" + part + "': run " + run + " not given; valid: 1.." + runs.size());
            }
            Measurement m = select(runs.get(run - 1), src.substring(colon + 1), part);
            stages.add(m.samples());
            stageToMs.add(m.toMillis());
            labels.add(label + "=" + m.key() + " (run " + run + ")");
        }
        SplittableRandom random = new SplittableRandom(seed);
        LinkDelay.Jitter jitter = new LinkDelay.Jitter();
        double[] sums = new double[draws];
        for (int i = 0; i < draws; i++) {
            double ms = 0;
            for (int s = 0; s < stages.size(); s++) {
                Samples st = stages.get(s);
                ms += st.kth(random.nextLong(st.size())) * stageToMs.get(s);
            }
            for (int r = 0; r < routes.size(); r++) {
                ms += LinkDelay.transferNanos(routes.get(r), routeBytes.get(r), jitter) / 1e6;
            }
            sums[i] = ms;
        }
        Samples composed = Samples.of(sums);
        return new Composition(spec, labels, draws, composed.median(), composed.quantile(0.9), composed.quantile(0.99), "ms");
    }

    private static Measurement select(List<Measurement> ms, String selector, String part) {
        String[] terms = selector.split(";");
        List<Measurement> hits = new ArrayList<>();
        for (Measurement m : ms) {
            boolean ok = true;
            for (String t : terms) {
                if (t.isBlank()) {
                    continue;
                }
                int eq = t.indexOf('=');
                ok &= eq > 0 ? t.substring(eq + 1).equals(m.param(t.substring(0, eq))) : m.shortName().equals(t) || m.benchmark().equals(t);
            }
            if (ok) {
                hits.add(m);
            }
        }
        if (hits.size() != 1) {
            List<String> all = ms.stream().map(Measurement::key).limit(20).toList();
            throw new InvalidInputException("--compose: part '" + part + "' matches " + hits.size() + " measurements"
                    + (hits.isEmpty() ? "" : " (" + hits.stream().map(Measurement::key).toList() + ")")
                    + "; it must match exactly one; measurements of that run: " + all);
        }
        return hits.get(0);
    }

    /** Writes compare.md, compare.csv and compare.json into {@code dir}. */
    public static List<Path> write(Result r, Path dir) throws IOException {
        Table t = r.table();
        String md = ReportWriter.markdownTable(t) + (r.composition() == null ? "" : compositionMarkdown(r.composition()));
        AtomicFiles.write(dir.resolve("compare.md"), md);
        AtomicFiles.write(dir.resolve("compare.csv"), ReportWriter.csv(t));
        Json.writeAtomically(dir.resolve("compare.json"), r);
        return List.of(dir.resolve("compare.md"), dir.resolve("compare.csv"), dir.resolve("compare.json"));
    }

    public static String compositionMarkdown(Composition c) {
        StringBuilder s = new StringBuilder("### Composed latency\n\n");
        c.parts().forEach(p -> s.append("- ").append(p).append("\n"));
        s.append(String.format(Locale.ROOT, "%nmedian %s ms, p90 %s ms, p99 %s ms over %d draws%n",
                Format.sig(c.median(), 4), Format.sig(c.p90(), 4), Format.sig(c.p99(), 4), c.draws()));
        return s.toString();
    }
}
