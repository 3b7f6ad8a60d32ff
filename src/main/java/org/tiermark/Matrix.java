package org.tiermark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tiermark.tier.DeploymentProfile;

/**
 * Which cells ({@code model x operator x deployment}) a run measures. A named size says how much:
 * <ul>
 *   <li>{@code smoke}: the first model, {@code identity}, on {@code edge}: proves the harness works;</li>
 *   <li>{@code default}: every catalog model with every operator on every deployment that fits its
 *       variant (one stage: mobile, edge, cloud; two stages: the split deployments); cold start on
 *       {@code edge} and {@code mobile-edge} only;</li>
 *   <li>{@code full}: the same cells, cold start on every deployment.</li>
 * </ul>
 * {@link #restrict} narrows any of them to the values a user names, e.g. {@code deployment=edge,cloud}.
 */
public final class Matrix {
    /** The filterable dimensions, as the benchmarks name their {@code @Param}s. */
    public static final List<String> DIMENSIONS = List.of("model", "operator", "deployment");

    /** Sizes a user can ask for. */
    public enum Size { SMOKE, DEFAULT, FULL }

    /** One benchmark cell. */
    public record Cell(String model, String operator, String deployment) {}

    private final Size size;
    private final List<Cell> cells;

    private Matrix(Size size, List<Cell> cells) {
        this.size = size;
        this.cells = List.copyOf(cells);
    }

    public static Size parseSize(String value) {
        for (Size s : Size.values()) {
            if (s.name().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new InvalidInputException("unknown matrix size '" + value + "'; valid: smoke, default, full");
    }

    /**
     * The cells of {@code size}: each model with each of {@code operators} (identity first), on the
     * deployments whose stage count equals the variant's ({@code stagesOf} answers it per operator).
     */
    public static Matrix plan(Suite suite, Size size, List<String> operators, StageCount stagesOf) {
        List<Cell> cells = new ArrayList<>();
        List<String> models = new ArrayList<>(suite.catalog().models().keySet());
        if (models.isEmpty()) {
            throw new InvalidInputException(suite.catalog().root() + ": no model descriptors (*.json)");
        }
        if (size == Size.SMOKE) {
            return new Matrix(size, List.of(new Cell(models.get(0), "identity", "edge")));
        }
        for (String model : models) {
            for (String operator : operators) {
                int stages = stagesOf.stages(model, operator);
                for (DeploymentProfile d : suite.profiles().deployments().values()) {
                    if (d.stageCount() == stages) {
                        cells.add(new Cell(model, operator, d.name()));
                    }
                }
            }
        }
        return new Matrix(size, cells);
    }

    /** How many stages an operator's variant of a model has (1, or 2 for partitions). */
    @FunctionalInterface
    public interface StageCount {
        int stages(String model, String operator);
    }

    /**
     * Keeps the cells whose values are among those named in {@code filter}, a string like
     * {@code "model=minilm-l6;deployment=edge,cloud"}. Unknown dimensions or values are an error
     * listing the valid ones.
     */
    public Matrix restrict(String filter) {
        if (filter == null || filter.isBlank()) {
            return this;
        }
        Map<String, Set<String>> wanted = parseFilter(filter);
        Map<String, Set<String>> valid = values();
        for (Map.Entry<String, Set<String>> e : wanted.entrySet()) {
            for (String v : e.getValue()) {
                if (!valid.get(e.getKey()).contains(v)) {
                    throw new InvalidInputException("--params: no cell has " + e.getKey() + "=" + v + "; valid "
                            + e.getKey() + " values in the " + size.name().toLowerCase() + " matrix: "
                            + String.join(", ", valid.get(e.getKey())));
                }
            }
        }
        List<Cell> kept = cells.stream().filter(c -> matches(wanted, "model", c.model())
                && matches(wanted, "operator", c.operator()) && matches(wanted, "deployment", c.deployment())).toList();
        return new Matrix(size, kept);
    }

    private static boolean matches(Map<String, Set<String>> wanted, String key, String value) {
        return !wanted.containsKey(key) || wanted.get(key).contains(value);
    }

    static Map<String, Set<String>> parseFilter(String filter) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String part : filter.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("--params: '" + part + "' is not name=value[,value...]; e.g. deployment=edge,cloud");
            }
            String key = part.substring(0, eq).trim();
            if (!DIMENSIONS.contains(key)) {
                throw new InvalidInputException("--params: unknown parameter '" + key + "'; valid: " + String.join(", ", DIMENSIONS));
            }
            Set<String> values = new LinkedHashSet<>(Arrays.stream(part.substring(eq + 1).split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).toList());
            if (values.isEmpty()) {
                throw new InvalidInputException("--params: parameter '" + key + "' has no values");
            }
            out.put(key, values);
        }
        return out;
    }

    private Map<String, Set<String>> values() {
        Map<String, Set<String>> out = new TreeMap<>();
        DIMENSIONS.forEach(d -> out.put(d, new LinkedHashSet<>()));
        for (Cell c : cells) {
            out.get("model").add(c.model());
            out.get("operator").add(c.operator());
            out.get("deployment").add(c.deployment());
        }
        return out;
    }

    /** The same matrix without the cells of the given (model, operator) variants. */
    public Matrix without(Set<List<String>> variants) {
        return new Matrix(size, cells.stream().filter(c -> !variants.contains(List.of(c.model(), c.operator()))).toList());
    }

    public Size size() {
        return size;
    }

    public List<Cell> cells() {
        return cells;
    }

    /** Cells grouped by (model, operator), in order: one JMH run each. */
    public Map<List<String>, List<String>> deploymentsByVariant() {
        Map<List<String>, List<String>> out = new LinkedHashMap<>();
        for (Cell c : cells) {
            out.computeIfAbsent(List.of(c.model(), c.operator()), k -> new ArrayList<>()).add(c.deployment());
        }
        return out;
    }
}
