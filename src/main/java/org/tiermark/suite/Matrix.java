package org.tiermark.suite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.model.Catalog;
import org.tiermark.tier.DeploymentProfile;

/**
 * Which cells ({@code model x operator x deployment}) a run measures. A named size says how much:
 * <ul>
 *   <li>{@code smoke}: one model (the first, unless {@code --params} names others), {@code identity},
 *       on {@code edge} (unless {@code --params} names other one-stage deployments): proves the harness works;</li>
 *   <li>{@code default}: the cells {@code profiles/matrix.json} covers ({@link MatrixRules}): the
 *       black-box operators on every catalog model and every deployment that fits its variant (one
 *       stage: mobile, edge, cloud; two stages: the split deployments), the white-box ones where it says;</li>
 *   <li>{@code full}: every black-box and white-box operator on every model and fitting deployment.</li>
 * </ul>
 * {@link #restrict} narrows any of them to the values a user names, e.g. {@code deployment=edge,cloud}.
 */
public final class Matrix {
    /** The filterable dimensions, as the benchmarks name their {@code @Param}s. */
    public static final List<String> DIMENSIONS = List.of("model", "operator", "deployment");
    /** The deployment of the smoke matrix when {@code --params} names none. */
    public static final String SMOKE_DEPLOYMENT = "edge";

    /**
     * Sizes a user can ask for; {@code LINKS} has no cells: it measures the link-delay model's validation grid instead
     * ({@link LinkGrid}).
     */
    public enum Size { SMOKE, DEFAULT, FULL, LINKS }

    /** One benchmark cell. */
    public record Cell(String model, String operator, String deployment) {
        String value(String dimension) {
            return switch (dimension) {
                case "model" -> model;
                case "operator" -> operator;
                default -> deployment;
            };
        }
    }

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
        throw new InvalidInputException("unknown matrix size '" + value + "'; valid: smoke, default, full, links");
    }

    /**
     * The cells of {@code size}: each model with each of {@code operators} (identity first), on the
     * deployments whose stage count equals the variant's ({@code stagesOf} answers it per operator).
     * The smoke size holds {@code identity} of every model on every one-stage deployment here; only
     * {@link #restrict} picks its one default cell, so that {@code --params} can choose another.
     */
    public static Matrix plan(Suite suite, Size size, List<String> operators, StageCount stagesOf) {
        List<Cell> cells = new ArrayList<>();
        // reference models are named by benchmarks and targets only, never deployed
        List<String> models = new ArrayList<>(suite.catalog().models().values().stream()
                .filter(m -> m.descriptor().inMatrix()).map(Catalog.Model::name).toList());
        if (models.isEmpty()) {
            throw new InvalidInputException(suite.catalog().root() + ": no model descriptors (*.json) with role 'deployment'");
        }
        List<String> planned = size == Size.SMOKE ? List.of("identity") : operators;
        for (String model : models) {
            for (String operator : planned) {
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
     * listing the valid ones; filters that each match cells but together none are an error saying which.
     */
    public Matrix restrict(String filter) {
        Map<String, Set<String>> wanted = parseFilter(filter == null ? "" : filter);
        if (size == Size.SMOKE) {
            // one cell unless the user names more: the first model on edge
            wanted.computeIfAbsent("deployment", k -> Set.of(SMOKE_DEPLOYMENT));
            if (!wanted.containsKey("model") && !cells.isEmpty()) {
                wanted.put("model", Set.of(cells.get(0).model()));
            }
        }
        Map<String, Set<String>> valid = values(cells);
        for (Map.Entry<String, Set<String>> e : wanted.entrySet()) {
            for (String v : e.getValue()) {
                if (!valid.get(e.getKey()).contains(v)) {
                    throw new InvalidInputException("--params: no cell has " + e.getKey() + "=" + v + "; valid "
                            + e.getKey() + " values in the " + size.name().toLowerCase() + " matrix: "
                            + String.join(", ", valid.get(e.getKey())));
                }
            }
        }
        List<Cell> kept = cells.stream().filter(c -> matchesAll(wanted, c, null)).toList();
        if (kept.isEmpty()) {
            throw new InvalidInputException("--params '" + filter + "': the " + size.name().toLowerCase()
                    + " matrix has no cell matching all of it: " + whyEmpty(wanted));
        }
        return new Matrix(size, kept);
    }

    /** For each filter, the values the other filters leave for its dimension: which combination ruled out every cell. */
    private String whyEmpty(Map<String, Set<String>> wanted) {
        List<String> reasons = new ArrayList<>();
        for (String dimension : wanted.keySet()) {
            Set<String> left = values(cells.stream().filter(c -> matchesAll(wanted, c, dimension)).toList()).get(dimension);
            String others = wanted.keySet().stream().filter(d -> !d.equals(dimension))
                    .map(d -> d + "=" + String.join(",", wanted.get(d))).reduce((x, y) -> x + ";" + y).orElse("");
            reasons.add("with " + others + " the " + dimension + " values are " + (left.isEmpty() ? "none" : String.join(", ", left))
                    + " (not " + String.join(", ", wanted.get(dimension)) + ")");
        }
        if (wanted.containsKey("deployment") && wanted.containsKey("operator")) {
            reasons.add("an operator runs only on deployments with as many stages as its variant"
                    + " (a partition's two stages need a split deployment such as mobile-edge)");
        }
        return String.join("; ", reasons);
    }

    private static boolean matchesAll(Map<String, Set<String>> wanted, Cell c, String except) {
        for (Map.Entry<String, Set<String>> e : wanted.entrySet()) {
            if (!e.getKey().equals(except) && !e.getValue().contains(c.value(e.getKey()))) {
                return false;
            }
        }
        return true;
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

    private static Map<String, Set<String>> values(List<Cell> cells) {
        Map<String, Set<String>> out = new TreeMap<>();
        DIMENSIONS.forEach(d -> out.put(d, new LinkedHashSet<>()));
        for (Cell c : cells) {
            DIMENSIONS.forEach(d -> out.get(d).add(c.value(d)));
        }
        return out;
    }

    /** The same matrix without the cells of the given (model, operator) variants. */
    public Matrix without(Set<List<String>> variants) {
        return new Matrix(size, cells.stream().filter(c -> !variants.contains(List.of(c.model(), c.operator()))).toList());
    }

    /** The same matrix without {@code left} (cells a size cannot afford). */
    public Matrix withoutCells(Set<Cell> left) {
        return new Matrix(size, cells.stream().filter(c -> !left.contains(c)).toList());
    }

    public Size size() {
        return size;
    }

    public List<Cell> cells() {
        return cells;
    }

    /** The models of the cells, in order. */
    public List<String> models() {
        return cells.stream().map(Cell::model).distinct().toList();
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
