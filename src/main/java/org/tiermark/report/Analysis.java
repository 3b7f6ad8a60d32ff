package org.tiermark.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns measurements and accuracy into the report's content: the first report's deployment table
 * and target checks, the generic table of every benchmark, the studies' trade-off tables with their
 * statistics, and recommendations. Pure: no files written here.
 */
public final class Analysis {
    private static final String DEPLOYMENT_BENCHMARK = "DeploymentBenchmark.request";

    private Analysis() {}

    /** Accuracy of a model's operator in percent (points), ours first, else the studies' published figure. */
    record Acc(double percent, String source, String metric) {}

    static Acc accuracy(Accuracy ours, Map<String, Map<String, Double>> published, String model, String operator) {
        var e = ours.find(model, operator);
        if (e.isPresent()) {
            double v = e.get().value();
            return new Acc(v <= 1.0 ? 100 * v : v, "tiermark", e.get().metric());
        }
        Map<String, Double> p = published.get(model);
        if (p != null && p.containsKey(operator)) {
            return new Acc(p.get(operator), "published", "published");
        }
        return null;
    }

    /** Builds the whole report; {@code gate} and {@code plots} are made by the caller and passed through. */
    public static Report analyze(RunInputs in, ReportOptions options, Gate.Result gate, List<String> plots,
                                 List<TradeOffGroup> groups) {
        List<Measurement> ms = in.measurements();
        List<String> problems = new ArrayList<>(in.problems());
        List<Table> tables = new ArrayList<>();
        List<Report.Check> checks = new ArrayList<>();
        problems.addAll(missingTrials(ms, in.stages()));
        Object skipped = in.run().get("skipped");
        if (skipped instanceof List<?> l && !l.isEmpty()) {
            l.forEach(f -> problems.add("run.json: variant not built, its cells were not measured: " + f));
        }
        Object failures = in.run().get("failures");
        if (failures instanceof List<?> l && !l.isEmpty()) {
            l.forEach(f -> problems.add("run.json: failed: " + f));
        }

        problems.addAll(unmatchedAccuracy(ms, in.accuracy()));
        Table first = deploymentTable(ms, in.stages());
        if (first != null) {
            tables.add(first);
        }
        tables.addAll(checkTables(ms, checks, options.seed()));

        Map<String, Map<String, Double>> published = Accuracy.publishedByModel();
        List<Report.KruskalResult> kruskal = new ArrayList<>();
        List<Report.PairwiseResult> conover = new ArrayList<>();
        List<Report.EffectResult> effects = new ArrayList<>();
        List<Report.Recommendation> recs = new ArrayList<>();
        List<Report.Cell> cells = new ArrayList<>();
        for (TradeOffGroup g : groups) {
            tables.addAll(tradeOffTables(g, in.accuracy(), published));
            cells.addAll(cells(g, in.accuracy(), published));
            statistics(g, options.alpha(), kruskal, conover, effects);
        }
        tables.addAll(accuracyTables(in.accuracy(), published, groups));
        List<Report.AccuracyTest> accTests = accuracyTests(in.accuracy(), options.alpha());
        if (!accTests.isEmpty()) {
            Table.Builder t = new Table.Builder("accuracy-wilcoxon", "Accuracy: Wilcoxon signed-rank, identity vs operator (per sample)",
                    List.of("model", "operator", "metric", "identity", "operator value", "delta (points)", "W", "p", "n (non-zero)", "method", "significant"));
            accTests.forEach(a -> t.row(a.model(), a.operator(), a.metric(), a.identity(), a.value(), a.deltaPoints(),
                    a.statistic(), a.p(), (long) a.n(), a.method(), a.significant() ? "yes" : "no"));
            t.note("Significant at alpha " + options.alpha() + " Bonferroni-corrected over the operators of each model, as the studies did.");
            tables.add(t.build());
        }
        if (!kruskal.isEmpty()) {
            tables.add(kruskalTable(kruskal));
            tables.add(effectTable(effects));
        }
        for (TradeOffGroup g : groups) {
            recs.addAll(Recommendations.of(g, in.accuracy(), published, conover, effects, options));
        }
        Table generic = genericTable(ms);
        if (generic != null) {
            tables.add(generic);
        }
        if (gate != null) {
            tables.add(0, gate.table());
        }
        String title = "tiermark report: " + in.location().getFileName();
        return new Report(Report.SCHEMA, title, in.inputs(), in.run(), problems, tables, checks, cells, kruskal, conover, effects,
                accTests, recs, gate, plots);
    }

    /** Accuracy entries for variants that were not measured: shown, but nothing to set them against. */
    static List<String> unmatchedAccuracy(List<Measurement> ms, Accuracy acc) {
        List<String> out = new ArrayList<>();
        for (Accuracy.Entry e : acc.entries()) {
            boolean measured = ms.stream().anyMatch(m -> e.model().equals(m.param("model")) && e.operator().equals(m.param("operator")));
            if (!measured) {
                out.add("accuracy: model=" + e.model() + " operator=" + e.operator()
                        + " has an accuracy entry but no latency measurement in this run (an accuracy file of other variants?)");
            }
        }
        return out;
    }

    /** Trials that wrote a stage file but have no result: they failed after setup. */
    static List<String> missingTrials(List<Measurement> ms, List<JsonNode> stages) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : stages) {
            String bench = s.path("benchmark").asText("").replace("_jmhType", "");
            String model = s.path("model").asText();
            String op = s.path("operator").asText();
            String dep = s.path("deployment").asText();
            boolean found = ms.stream().anyMatch(m -> m.shortName().startsWith(bench + ".")
                    && model.equals(m.param("model")) && op.equals(m.param("operator")) && dep.equals(m.param("deployment")));
            if (!found) {
                out.add("stages/: a trial of " + bench + " model=" + model + " operator=" + op + " deployment=" + dep
                        + " was set up but has no result in the JMH JSON: it failed (see the JMH log)");
            }
        }
        return out;
    }

    /** The first report's table: model x deployment with latency percentiles, compute share and payload. */
    static Table deploymentTable(List<Measurement> ms, List<JsonNode> stages) {
        List<Measurement> dep = ms.stream().filter(m -> m.shortName().equals(DEPLOYMENT_BENCHMARK)).toList();
        if (dep.isEmpty()) {
            return null;
        }
        Set<String> varying = varyingParams(dep, Set.of("model", "operator", "deployment"));
        List<String> cols = new ArrayList<>(List.of("model", "operator", "deployment"));
        cols.addAll(varying);
        cols.addAll(List.of("median (ms)", "p90 (ms)", "p99 (ms)", "compute share", "payload bytes/request",
                "memory MB", "deployable", "samples"));
        Table.Builder t = new Table.Builder("deployments", "Deployments: latency per request (model x deployment)", cols);
        List<Measurement> sorted = new ArrayList<>(dep);
        sorted.sort(Comparator.comparing((Measurement m) -> m.param("model")).thenComparing(m -> m.param("operator"))
                .thenComparing(m -> m.param("deployment")));
        for (Measurement m : sorted) {
            double toMs = m.toMillis();
            List<Object> row = new ArrayList<>(List.of(m.param("model"), m.param("operator"), m.param("deployment")));
            varying.forEach(v -> row.add(m.param(v)));
            double compute = nz(m.secondary().get("computeNanos")) + nz(m.secondary().get("stretchNanos"));
            double transfer = nz(m.secondary().get("transferNanos"));
            double share = m.secondary().containsKey("computeNanos") && compute + transfer > 0 ? compute / (compute + transfer) : Double.NaN;
            double payload = m.secondaryPer("linkBytes", "requests");
            if (Double.isNaN(payload)) {
                payload = stagePayload(stages, m);
            }
            row.add(m.samples().median() * toMs);
            row.add(m.samples().quantile(0.9) * toMs);
            row.add(m.samples().quantile(0.99) * toMs);
            row.add(share);
            row.add(payload);
            StageMemory mem = stageMemory(stages, m);
            row.add(mem.maxStageBytes < 0 ? Double.NaN : mem.maxStageBytes / 1e6);
            row.add(mem.maxStageBytes < 0 ? "unknown" : mem.overBudget.isEmpty() ? "yes" : "no (" + mem.overBudget + ")");
            row.add(m.samples().size());
            t.row(row);
        }
        t.note("Percentiles from the raw sample histogram. Compute share = (computeNanos + stretchNanos) / (computeNanos + stretchNanos + transferNanos); "
                + "payload = linkBytes / requests (bytes crossing links per request). Memory = the largest stage's resident growth "
                + "at session creation plus its first run (stages/*.json); a stage above its tier's memoryBudgetMb makes the "
                + "variant not deployable there.");
        return t.build();
    }

    /** The largest stage's measured memory of a cell, and the tiers whose budget a stage exceeds. */
    private record StageMemory(long maxStageBytes, Set<String> overBudget) {}

    private static StageMemory stageMemory(List<JsonNode> stages, Measurement m) {
        long max = -1;
        Set<String> over = new java.util.TreeSet<>();
        for (JsonNode s : stages) {
            if (!(s.path("model").asText().equals(m.param("model")) && s.path("operator").asText().equals(m.param("operator"))
                    && s.path("deployment").asText().equals(m.param("deployment")))) {
                continue;
            }
            for (JsonNode st : s.path("stages")) {
                long creation = st.path("creationRssBytes").asLong(-1);
                long firstRun = st.path("firstRunRssBytes").asLong(-1);
                if (creation < 0 || firstRun < 0) {
                    continue;
                }
                long bytes = Math.max(0, creation) + Math.max(0, firstRun);
                max = Math.max(max, bytes);
                if (bytes > st.path("budgetMb").asLong(Long.MAX_VALUE / (1 << 20)) * 1024 * 1024) {
                    over.add(st.path("tier").asText());
                }
            }
        }
        return new StageMemory(max, over);
    }

    private static double stagePayload(List<JsonNode> stages, Measurement m) {
        for (JsonNode s : stages) {
            if (s.path("model").asText().equals(m.param("model")) && s.path("operator").asText().equals(m.param("operator"))
                    && s.path("deployment").asText().equals(m.param("deployment"))) {
                double sum = 0;
                for (JsonNode b : s.path("payloadBytes")) {
                    sum += b.asDouble();
                }
                return sum;
            }
        }
        return Double.NaN;
    }

    private static double nz(Double d) {
        return d == null ? 0 : d;
    }

    /** Params other than {@code except} that take more than one value. */
    static Set<String> varyingParams(List<Measurement> ms, Set<String> except) {
        Map<String, Set<String>> values = new TreeMap<>();
        for (Measurement m : ms) {
            m.params().forEach((k, v) -> values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v));
        }
        Set<String> out = new LinkedHashSet<>();
        values.forEach((k, v) -> {
            if (!except.contains(k) && v.size() > 1) {
                out.add(k);
            }
        });
        return out;
    }

    /** Params of a ModelLatencyBenchmark result without the variants compared: what its ratios are keyed by. */
    private static String latencyKey(Measurement m) {
        Map<String, String> rest = new TreeMap<>(m.params());
        rest.remove("variant");
        rest.remove("against");
        return rest.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    private static String param(String key, String name) {
        for (String kv : key.split(",")) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** The paired harness/raw time ratio of one HarnessOverheadBenchmark.paired measurement, or null. */
    static Bootstrap.Interval pairedInterval(Measurement m, long seed) {
        return pairedInterval(m, "harnessNanos", "rawNanos", seed);
    }

    /** sum(numerator) / sum(denominator) of two counters measured in the same iterations, with its interval, or null. */
    static Bootstrap.Interval pairedInterval(Measurement m, String numerator, String denominator, long seed) {
        if (m == null) {
            return null;
        }
        List<Double> h = m.secondaryIterations().get(numerator);
        List<Double> r = m.secondaryIterations().get(denominator);
        if (h == null || r == null || h.isEmpty() || h.size() != r.size()) {
            return null;
        }
        List<Integer> forks = m.forks().stream().mapToInt(Integer::intValue).sum() == h.size() ? m.forks() : List.of();
        return Bootstrap.ratioOfPairedSums(h, r, forks, 0.95, 2000, seed);
    }

    /** Tables and checks of the foundation targets: harness overhead, link wait accuracy, quantized speed-ups. */
    static List<Table> checkTables(List<Measurement> ms, List<Report.Check> checks, long seed) {
        List<Table> out = new ArrayList<>();
        // harness overhead: deployment / rawOrt per model, and the paired ratio where measured
        Map<String, Measurement> dep = new TreeMap<>();
        Map<String, Measurement> raw = new TreeMap<>();
        Map<String, Measurement> paired = new TreeMap<>();
        for (Measurement m : ms) {
            switch (m.shortName()) {
                case "HarnessOverheadBenchmark.deployment" -> dep.put(m.paramsText(), m);
                case "HarnessOverheadBenchmark.rawOrt" -> raw.put(m.paramsText(), m);
                case "HarnessOverheadBenchmark.paired" -> paired.put(m.paramsText(), m);
                default -> { }
            }
        }
        java.util.SortedSet<String> models = new java.util.TreeSet<>(dep.keySet());
        models.addAll(paired.keySet());
        if (!models.isEmpty()) {
            Table.Builder t = new Table.Builder("harness-overhead", "Harness overhead: harness time / raw ONNX Runtime time",
                    List.of("params", "deployment median", "rawOrt median", "unit", "ratio of medians", "95% CI low",
                            "95% CI high", "paired ratio", "paired 95% CI low", "paired 95% CI high", "target", "pass"));
            for (String key : models) {
                Measurement d = dep.get(key);
                Measurement r = raw.get(key);
                Bootstrap.Interval medians = null;
                if (d != null && r != null) {
                    medians = Bootstrap.ratioOfMedians(d, r.unit().equals(d.unit()) ? r
                            : r.scaled(Units.toMillis(r.unit()) / Units.toMillis(d.unit())), 0.95, 2000, seed);
                } else if (d != null) {
                    t.note("no rawOrt result for " + key + ": ratio of medians not computed");
                }
                Bootstrap.Interval pair = pairedInterval(paired.get(key), seed);
                Bootstrap.Interval checked = pair != null ? pair : medians;
                if (checked == null) {
                    continue;
                }
                boolean pass = checked.estimate() <= 1.03;
                double rawMedian = r == null || d == null ? Double.NaN
                        : r.samples().median() * Units.toMillis(r.unit()) / Units.toMillis(d.unit());
                t.row(key, d == null ? Double.NaN : d.samples().median(), rawMedian, d == null ? "" : d.unit(),
                        medians == null ? Double.NaN : medians.estimate(), medians == null ? Double.NaN : medians.low(),
                        medians == null ? Double.NaN : medians.high(), pair == null ? Double.NaN : pair.estimate(),
                        pair == null ? Double.NaN : pair.low(), pair == null ? Double.NaN : pair.high(), "<= 1.03",
                        pass ? "yes" : "NO");
                checks.add(new Report.Check("harness-overhead", key, checked.estimate(), checked.low(), checked.high(),
                        "<= 1.03", pass, pair != null
                                ? "sum(harnessNanos) / sum(rawNanos) of HarnessOverheadBenchmark.paired (both calls in every invocation)"
                                : "median(HarnessOverheadBenchmark.deployment) / median(HarnessOverheadBenchmark.rawOrt)"));
            }
            t.note("The target is checked on the paired ratio when HarnessOverheadBenchmark.paired ran: one harness call and one "
                    + "raw call per invocation, so both see the same load; the ratio of medians of the two separate benchmarks "
                    + "also moves with any change in the machine's load between them.");
            out.add(t.build());
        }
        // link wait accuracy: median against waitMicros
        List<Measurement> waits = ms.stream().filter(m -> m.shortName().equals("LinkWaitBenchmark.linkWait") && m.param("waitMicros") != null).toList();
        if (!waits.isEmpty()) {
            Table.Builder t = new Table.Builder("link-wait", "Link wait accuracy: median wait against the link model's figure",
                    List.of("waitMicros", "median (us)", "p99 (us)", "error (us)", "error", "target", "pass"));
            List<Measurement> sorted = new ArrayList<>(waits);
            sorted.sort(Comparator.comparingDouble(m -> Double.parseDouble(m.param("waitMicros"))));
            for (Measurement m : sorted) {
                double want = Double.parseDouble(m.param("waitMicros"));
                double toUs = m.toMillis() * 1000;
                double median = m.samples().median() * toUs;
                double err = median - want;
                double allowed = Math.max(0.02 * want, 50);
                Boolean pass = want >= 1000 ? Math.abs(err) <= allowed : null;
                String target = want >= 1000 ? "|error| <= " + Format.sig(allowed, 3) + " us" : "none below 1 ms";
                t.row(m.param("waitMicros"), median, m.samples().quantile(0.99) * toUs, err, err / want, target,
                        pass == null ? "" : pass ? "yes" : "NO");
                checks.add(new Report.Check("link-wait", "waitMicros=" + m.param("waitMicros"), median, Double.NaN, Double.NaN,
                        target, pass, "median of LinkWaitBenchmark.linkWait in us"));
            }
            t.note("Target: within 2% or 50 us, whichever is larger, for waits of 1 ms and more.");
            out.add(t.build());
        }
        // quantized speed-ups: ModelLatencyBenchmark.infer variants per model and sequenceLength
        List<Measurement> infer = ms.stream().filter(m -> m.shortName().equals("ModelLatencyBenchmark.infer") && m.param("variant") != null).toList();
        // paired[key][variant + " / " + against]: both variants run in every invocation (ModelLatencyBenchmark.paired)
        Map<String, Map<String, Bootstrap.Interval>> pairedRatios = new TreeMap<>();
        for (Measurement m : ms) {
            if (m.shortName().equals("ModelLatencyBenchmark.paired") && m.param("variant") != null && m.param("against") != null) {
                Bootstrap.Interval ci = pairedInterval(m, "variantNanos", "againstNanos", seed);
                if (ci != null) {
                    pairedRatios.computeIfAbsent(latencyKey(m), k -> new TreeMap<>()).put(m.param("variant") + " / " + m.param("against"), ci);
                }
            }
        }
        if (!infer.isEmpty() || !pairedRatios.isEmpty()) {
            Map<String, Map<String, Measurement>> byKey = new TreeMap<>();
            for (Measurement m : infer) {
                byKey.computeIfAbsent(latencyKey(m), k -> new LinkedHashMap<>()).put(m.param("variant"), m);
            }
            pairedRatios.keySet().forEach(k -> byKey.computeIfAbsent(k, x -> new LinkedHashMap<>()));
            Table.Builder t = new Table.Builder("model-latency", "Model latency: median ratios of variants",
                    List.of("params", "ratio", "value", "95% CI low", "95% CI high", "target", "pass"));
            for (var e : byKey.entrySet()) {
                Map<String, Measurement> v = e.getValue();
                Map<String, Bootstrap.Interval> p = pairedRatios.getOrDefault(e.getKey(), Map.of());
                String model = param(e.getKey(), "model");
                String seq = param(e.getKey(), "sequenceLength");
                for (String against : List.of("identity", "published-int8")) {
                    String ratio = "sptq / " + against;
                    boolean targeted = against.equals("identity") ? "resnet18-synthetic".equals(model)
                            : "minilm-l6".equals(model) && ("32".equals(seq) || "128".equals(seq));
                    String target = !targeted ? "" : against.equals("identity") ? "<= 0.40" : "<= 1.02";
                    double limit = against.equals("identity") ? 0.40 : 1.02;
                    Bootstrap.Interval pairedCi = p.get(ratio);
                    // the target is checked on the paired ratio when it was measured, else on the medians
                    if (v.get("sptq") != null && v.get(against) != null) {
                        Bootstrap.Interval ci = Bootstrap.ratioOfMedians(v.get("sptq"), v.get(against), 0.95, 2000, seed);
                        Boolean pass = targeted && pairedCi == null ? ci.estimate() <= limit : null;
                        t.row(e.getKey(), ratio + " (medians)", ci.estimate(), ci.low(), ci.high(), pass == null ? "" : target,
                                pass == null ? "" : pass ? "yes" : "NO");
                        checks.add(new Report.Check(ratio.replace(" ", ""), e.getKey(), ci.estimate(), ci.low(), ci.high(),
                                pass == null ? "" : target, pass, "median(ModelLatencyBenchmark.infer sptq) / median(" + against + ")"));
                    }
                    if (pairedCi != null) {
                        Boolean pass = targeted ? pairedCi.estimate() <= limit : null;
                        t.row(e.getKey(), ratio + " (paired)", pairedCi.estimate(), pairedCi.low(), pairedCi.high(), target,
                                pass == null ? "" : pass ? "yes" : "NO");
                        checks.add(new Report.Check(ratio.replace(" ", "") + " paired", e.getKey(), pairedCi.estimate(),
                                pairedCi.low(), pairedCi.high(), target, pass,
                                "sum(variantNanos) / sum(againstNanos) of ModelLatencyBenchmark.paired (both in every invocation)"));
                    }
                }
            }
            if (!t.isEmpty()) {
                t.note("Targets: sptq/identity <= 0.40 for resnet18-synthetic; sptq/published-int8 <= 1.02 for minilm-l6 at 32 and 128 tokens, "
                        + "checked on the paired ratio (ModelLatencyBenchmark.paired: both variants in every invocation) where it was "
                        + "measured, else on the ratio of medians of the separate benchmarks, which also moves with the machine's load "
                        + "between them. CIs: bootstrap over forks, then iterations (paired: the same iterations for both sides).");
                out.add(t.build());
            }
        }
        return out;
    }

    /** Every benchmark at every params: the report of any JMH JSON. */
    static Table genericTable(List<Measurement> ms) {
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

    /** The studies' tables for one group: median [IQR] by operator x deployment with accuracy, and speed-ups. */
    static List<Table> tradeOffTables(TradeOffGroup g, Accuracy ours, Map<String, Map<String, Double>> published) {
        String u = g.unit().replace("/op", "");
        List<String> cols = new ArrayList<>(List.of("operator"));
        g.deployments().forEach(d -> cols.add(d + " median [IQR] (" + u + ")"));
        cols.addAll(List.of("accuracy (%)", "delta vs identity (points)", "accuracy source"));
        Table.Builder t = new Table.Builder("tradeoff-" + g.id(), "Trade-off: " + g.title(), cols);
        Acc base = accuracy(ours, published, g.model(), "identity");
        for (String op : g.operators()) {
            List<Object> row = new ArrayList<>(List.of(op));
            for (String d : g.deployments()) {
                Measurement m = g.cell(op, d);
                row.add(m == null ? null : Format.sig(m.samples().median(), 4) + " [" + Format.sig(m.samples().quantile(0.25), 4)
                        + ", " + Format.sig(m.samples().quantile(0.75), 4) + "]");
            }
            Acc a = accuracy(ours, published, g.model(), op);
            row.add(a == null ? null : a.percent());
            row.add(a == null || base == null ? null : a.percent() - base.percent());
            row.add(a == null ? null : a.source());
            t.row(row);
        }
        t.note("Cells: median [first quartile, third quartile] of the raw samples. Accuracy: tiermark's accuracy.json, else the studies' published figure.");
        List<Table> out = new ArrayList<>(List.of(t.build()));
        if (g.operators().contains("identity") && g.operators().size() > 1) {
            List<String> sc = new ArrayList<>(List.of("operator"));
            g.deployments().forEach(d -> sc.add(d + " speed-up"));
            Table.Builder s = new Table.Builder("speedup-" + g.id(), "Speed-up vs identity on the same deployment: " + g.title(), sc);
            for (String op : g.operators()) {
                List<Object> row = new ArrayList<>(List.of(op));
                for (String d : g.deployments()) {
                    Measurement m = g.cell(op, d);
                    Measurement id = g.cell("identity", d);
                    row.add(m == null || id == null ? null : id.samples().median() / m.samples().median());
                }
                s.row(row);
            }
            s.note("median(identity) / median(operator): above 1 is faster than identity.");
            out.add(s.build());
        }
        return out;
    }

    static List<Report.Cell> cells(TradeOffGroup g, Accuracy ours, Map<String, Map<String, Double>> published) {
        List<Report.Cell> out = new ArrayList<>();
        Acc base = accuracy(ours, published, g.model(), "identity");
        for (String op : g.operators()) {
            Acc a = accuracy(ours, published, g.model(), op);
            for (String d : g.deployments()) {
                Measurement m = g.cell(op, d);
                if (m == null) {
                    continue;
                }
                Samples s = m.samples();
                Measurement id = g.cell("identity", d);
                out.add(new Report.Cell(g.id(), g.model(), op, d, m.unit(), s.size(), s.median(), s.quantile(0.25), s.quantile(0.75),
                        s.quantile(0.9), s.quantile(0.99), a == null ? null : a.percent(),
                        a == null || base == null ? null : a.percent() - base.percent(), a == null ? null : a.source(),
                        id == null ? null : id.samples().median() / s.median()));
            }
        }
        return out;
    }

    /** Kruskal-Wallis and Conover across deployments (per operator) and across operators (per deployment); effects vs identity. */
    static void statistics(TradeOffGroup g, double alpha, List<Report.KruskalResult> kw, List<Report.PairwiseResult> con,
                           List<Report.EffectResult> effects) {
        for (String op : g.operators()) {
            List<String> levels = g.deployments().stream().filter(d -> g.cell(op, d) != null).toList();
            across(g, "operator=" + op, "deployment", levels, levels.stream().map(d -> g.cell(op, d).samples()).toList(), alpha, kw, con);
        }
        for (String d : g.deployments()) {
            List<String> levels = g.operators().stream().filter(op -> g.cell(op, d) != null).toList();
            across(g, "deployment=" + d, "operator", levels, levels.stream().map(op -> g.cell(op, d).samples()).toList(), alpha, kw, con);
            Measurement id = g.cell("identity", d);
            if (id == null) {
                continue;
            }
            for (String op : levels) {
                if (op.equals("identity")) {
                    continue;
                }
                Measurement m = g.cell(op, d);
                Stats.MannWhitney mw = Stats.mannWhitney(m.samples(), id.samples());
                Stats.CliffsDelta cd = Stats.cliffsDelta(m.samples(), id.samples());
                effects.add(new Report.EffectResult(g.id(), d, op, "identity", m.samples().median(), id.samples().median(),
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
                List.of("group", "within", "across", "levels", "H", "df", "p", "significant"));
        kw.forEach(k -> t.row(k.group(), k.fixed(), k.across(), String.join(" ", k.levels()), k.h(), (long) k.df(), k.p(),
                k.significant() ? "yes" : "no"));
        t.note("Conover post-hoc p-values (without and with Holm adjustment) for each row are in report.json and conover-*.csv.");
        return t.build();
    }

    static Table effectTable(List<Report.EffectResult> effects) {
        Table.Builder t = new Table.Builder("effects", "Each operator against identity on the same deployment",
                List.of("group", "deployment", "operator", "median", "identity median", "speed-up", "Mann-Whitney U", "p",
                        "Cliff's delta", "magnitude"));
        effects.forEach(e -> t.row(e.group(), e.deployment(), e.operator(), e.median(), e.versusMedian(), e.speedUp(),
                e.mannWhitneyU(), e.p(), e.cliffsDelta(), e.magnitude()));
        t.note("Cliff's delta of the operator's latencies against identity's: negative = faster. Magnitudes after Romano et al. (2006).");
        return t.build();
    }

    /** Our accuracy entries, and the studies' published accuracies beside them (with their source). */
    static List<Table> accuracyTables(Accuracy ours, Map<String, Map<String, Double>> published, List<TradeOffGroup> groups) {
        List<Table> out = new ArrayList<>();
        if (!ours.entries().isEmpty()) {
            Table.Builder t = new Table.Builder("accuracy", "Accuracy (accuracy.json)",
                    List.of("model", "operator", "metric", "value", "95% CI low", "95% CI high", "delta vs identity",
                            "agreement with identity", "samples"));
            for (Accuracy.Entry e : ours.entries()) {
                boolean ci = e.ci95() != null && e.ci95().length == 2;
                t.row(e.model(), e.operator(), e.metric(), e.value(), ci ? e.ci95()[0] : null, ci ? e.ci95()[1] : null,
                        e.deltaVsIdentity(), e.agreementWithIdentity(), e.samples() == null ? null : (long) e.samples());
            }
            out.add(t.build());
        }
        boolean studiesModel = groups.stream().anyMatch(g -> published.containsKey(g.model()));
        if (!ours.entries().isEmpty() || studiesModel) {
            Table.Builder t = new Table.Builder("accuracy-published", "Accuracy published by the studies (%), for comparison",
                    List.of("model", "metric", "operator", "accuracy (%)", "delta vs identity (points)"));
            for (Accuracy.Published p : Accuracy.published()) {
                Double id = published.get(p.model()).get("identity");
                t.row(p.model(), p.metric(), p.operator(), p.percent(), id == null ? null : p.percent() - id);
            }
            t.note("Source: Singh, Adams, Hassan, arXiv 2403.17154 (black-box operators) and arXiv 2411.00907 (white-box operators); "
                    + "resource org/tiermark/report/published-accuracy.json. Their models and data (ImageNet, COCO, Cityscapes, MRPC) differ from ours.");
            out.add(t.build());
        }
        return out;
    }

    /** Wilcoxon signed-rank of identity's per-sample scores against each operator's, per model. */
    static List<Report.AccuracyTest> accuracyTests(Accuracy acc, double alpha) {
        List<Report.AccuracyTest> out = new ArrayList<>();
        Map<String, List<Accuracy.Entry>> byModel = new LinkedHashMap<>();
        acc.entries().forEach(e -> byModel.computeIfAbsent(e.model(), k -> new ArrayList<>()).add(e));
        for (var e : byModel.entrySet()) {
            Accuracy.Entry id = e.getValue().stream().filter(x -> x.operator().equals("identity")).findFirst().orElse(null);
            if (id == null || id.perSample() == null) {
                continue;
            }
            List<Accuracy.Entry> ops = e.getValue().stream().filter(x -> !x.operator().equals("identity") && x.perSample() != null
                    && x.perSample().length == id.perSample().length).toList();
            double corrected = alpha / Math.max(1, ops.size());
            for (Accuracy.Entry op : ops) {
                Stats.Wilcoxon w = Stats.wilcoxon(id.perSample(), op.perSample());
                double scale = id.value() <= 1.0 ? 100 : 1;
                out.add(new Report.AccuracyTest(e.getKey(), op.operator(), op.metric(), id.value(), op.value(),
                        (op.value() - id.value()) * scale, w.statistic(), w.p(), w.n(), w.method(), w.p() < corrected));
            }
        }
        return out;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
