package org.tiermark.report;

import static org.tiermark.report.DeploymentParams.DEPLOYMENT;
import static org.tiermark.report.DeploymentParams.IDENTITY;
import static org.tiermark.report.DeploymentParams.MODEL;
import static org.tiermark.report.DeploymentParams.OPERATOR;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The measurements of one model in one benchmark (at fixed other params) laid out the studies' way:
 * operators by deployments. Found from the params of {@link DeploymentParams}, which define these
 * tables; any other param that varies splits the trade-off group.
 */
public record TradeOffGroup(String id, String benchmark, String model, Map<String, String> fixed, List<String> operators,
                            List<String> deployments, Map<String, Map<String, Measurement>> cells, String unit) {
    /** Deployments in the order of the tiers, then any others alphabetically. */
    private static final List<String> DEPLOYMENT_ORDER = List.of("mobile", "edge", "cloud", "mobile-edge", "edge-cloud", "mobile-cloud");

    /**
     * What a cell is set against.
     *
     * @param label      in words, e.g. {@code identity on mobile}
     * @param deployment where the reference ran
     * @param operator   the reference's operator
     */
    public record Reference(String label, String deployment, String operator, Measurement measurement) {}

    /**
     * The cells {@code operator} on {@code deployment} is compared with: identity on the same
     * deployment, and for a split deployment ({@code mobile-edge}) the whole model (the same operator
     * without {@code partition}) on each tier it spans, as the studies judged partitioning.
     */
    public List<Reference> references(String operator, String deployment) {
        List<Reference> out = new ArrayList<>();
        Measurement same = cell(IDENTITY, deployment);
        if (!operator.equals(IDENTITY) && same != null) {
            out.add(new Reference(IDENTITY + " on " + deployment, deployment, IDENTITY, same));
        }
        if (deployment.contains("-")) {
            String whole = wholeModel(operator);
            for (String tier : deployment.split("-")) {
                Measurement m = cell(whole, tier);
                if (m != null) {
                    out.add(new Reference(whole + " on " + tier, tier, whole, m));
                }
            }
        }
        return out;
    }

    /** The operator without its {@code partition} step: what runs when the model is not split. */
    static String wholeModel(String operator) {
        List<String> parts = new ArrayList<>(List.of(operator.split("\\+")));
        parts.remove("partition");
        return parts.isEmpty() ? IDENTITY : String.join("+", parts);
    }

    public Measurement cell(String operator, String deployment) {
        Map<String, Measurement> row = cells.get(operator);
        return row == null ? null : row.get(deployment);
    }

    /** A name in words: the model, what the benchmark measures, and the fixed params ("bge-spam, deployment request, simulated links"). */
    public String title() {
        StringBuilder s = new StringBuilder(model).append(", ").append(DeploymentParams.benchmarkInWords(benchmark));
        fixed.forEach((k, v) -> s.append(", ").append(DeploymentParams.paramInWords(k, v)));
        return s.toString();
    }

    /** Groups every measurement that has model, operator and deployment params. */
    public static List<TradeOffGroup> of(List<Measurement> measurements) {
        Map<String, List<Measurement>> byGroup = new LinkedHashMap<>();
        Map<String, Map<String, String>> fixedOf = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            if (m.param(MODEL) == null || m.param(OPERATOR) == null || m.param(DEPLOYMENT) == null
                    || m.shortName().startsWith(LoadTables.BENCHMARK + ".")) {
                // the load benchmark's score is how long its sweep took, not a latency: LoadTables reports it
                continue;
            }
            Map<String, String> fixed = new TreeMap<>(m.params());
            fixed.remove(MODEL);
            fixed.remove(OPERATOR);
            fixed.remove(DEPLOYMENT);
            String key = m.shortName() + "|" + m.mode() + "|" + m.param(MODEL) + "|" + fixed;
            byGroup.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
            fixedOf.put(key, fixed);
        }
        // a fixed param that has one value in every group of a benchmark says nothing: leave it out of names
        List<TradeOffGroup> out = new ArrayList<>();
        for (var e : byGroup.entrySet()) {
            List<Measurement> ms = e.getValue();
            Measurement first = ms.get(0);
            List<String> ops = new ArrayList<>();
            List<String> deps = new ArrayList<>();
            Map<String, Map<String, Measurement>> cells = new LinkedHashMap<>();
            for (Measurement m : ms) {
                String op = m.param(OPERATOR);
                String dep = m.param(DEPLOYMENT);
                if (!ops.contains(op)) {
                    ops.add(op);
                }
                if (!deps.contains(dep)) {
                    deps.add(dep);
                }
                cells.computeIfAbsent(op, k -> new LinkedHashMap<>()).put(dep, m);
            }
            ops.sort(Comparator.comparing((String o) -> !o.equals(IDENTITY)));
            deps.sort(Comparator.comparing((String d) -> DEPLOYMENT_ORDER.indexOf(d) < 0 ? 99 : DEPLOYMENT_ORDER.indexOf(d))
                    .thenComparing(d -> d));
            String benchmark = first.shortName();
            Map<String, String> fixed = fixedOf.get(e.getKey());
            String id = (first.param(MODEL) + "-" + benchmark.replace('.', '-') + (fixed.isEmpty() ? ""
                    : "-" + String.join("-", fixed.values()))).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._+-]+", "-");
            out.add(new TradeOffGroup(id, benchmark, first.param(MODEL), fixed, ops, deps, cells, first.unit()));
        }
        return out;
    }
}
