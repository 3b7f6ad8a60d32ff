package org.tiermark.report;

import static org.tiermark.report.DeploymentParams.DEPLOYMENT;
import static org.tiermark.report.DeploymentParams.MODEL;
import static org.tiermark.report.DeploymentParams.OPERATOR;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The headline table: model x deployment with latency percentiles, compute share, payload and memory. */
final class DeploymentTable {
    private DeploymentTable() {}

    /** The table of the {@code headline} benchmark's cells ({@code Class.method}), or null when the run has none. */
    static Table of(List<Measurement> ms, List<StageFiles.Trial> trials, String headline) {
        List<Measurement> dep = ms.stream().filter(m -> m.shortName().equals(headline)).toList();
        if (dep.isEmpty()) {
            return null;
        }
        Set<String> varying = varyingParams(dep, Set.of(MODEL, OPERATOR, DEPLOYMENT));
        List<String> cols = new ArrayList<>(List.of(MODEL, OPERATOR, DEPLOYMENT));
        cols.addAll(varying);
        cols.addAll(List.of("median (ms)", "p90 (ms)", "p99 (ms)", "compute share", "payload bytes/request",
                "memory MB", "deployable", "samples"));
        Table.Builder t = new Table.Builder("deployments", "Deployments: latency per request (model x deployment)", cols);
        List<Measurement> sorted = new ArrayList<>(dep);
        sorted.sort(Comparator.comparing((Measurement m) -> m.param(MODEL)).thenComparing(m -> m.param(OPERATOR))
                .thenComparing(m -> m.param(DEPLOYMENT)));
        for (Measurement m : sorted) {
            double toMs = m.toMillis();
            List<Object> row = new ArrayList<>(List.of(m.param(MODEL), m.param(OPERATOR), m.param(DEPLOYMENT)));
            varying.forEach(v -> row.add(m.param(v)));
            double compute = nz(m.secondary().get("computeNanos")) + nz(m.secondary().get("stretchNanos"));
            double transfer = nz(m.secondary().get("transferNanos"));
            double share = m.secondary().containsKey("computeNanos") && compute + transfer > 0 ? compute / (compute + transfer) : Double.NaN;
            double payload = m.secondaryPer("linkBytes", "requests");
            if (Double.isNaN(payload)) {
                payload = trials.stream().filter(s -> s.isCell(m)).findFirst().map(StageFiles.Trial::payloadBytes).orElse(Double.NaN);
            }
            row.add(m.samples().median() * toMs);
            row.add(m.samples().quantile(0.9) * toMs);
            row.add(m.samples().quantile(0.99) * toMs);
            row.add(share);
            row.add(payload);
            long maxStageBytes = -1;
            Set<String> overBudget = new TreeSet<>();
            for (StageFiles.Trial trial : trials) {
                if (!trial.isCell(m)) {
                    continue;
                }
                for (StageFiles.Stage st : trial.stages()) {
                    maxStageBytes = Math.max(maxStageBytes, st.memoryBytes());
                    if (st.overBudget()) {
                        overBudget.add(st.tier());
                    }
                }
            }
            row.add(maxStageBytes < 0 ? Double.NaN : maxStageBytes / 1e6);
            row.add(maxStageBytes < 0 ? "unknown" : overBudget.isEmpty() ? "yes" : "no (" + overBudget + ")");
            row.add(m.samples().size());
            t.row(row);
        }
        t.note("Percentiles from the raw sample histogram. Compute share = (computeNanos + stretchNanos) / (computeNanos + stretchNanos + transferNanos); "
                + "payload = linkBytes / requests (bytes crossing links per request). Memory = the largest stage's resident growth "
                + "at session creation plus its first run (stages/*.json); a stage above its tier's memoryBudgetMb makes the "
                + "variant not deployable there.");
        return t.build();
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
}
