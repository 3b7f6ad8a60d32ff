package org.tiermark.suite;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.operator.Operator;

/**
 * {@code profiles/matrix.json}: which operators the default matrix measures, on which models and
 * deployments, as data rather than code special cases (issue 12: the white-box operators on one image
 * and one text model, on mobile and edge, within the 30-minute budget).
 */
public record MatrixRules(int schemaVersion, String what, @JsonProperty("default") List<Rule> defaults,
                          AccuracySets accuracySets) {
    public static final String FILE = "profiles/matrix.json";

    /**
     * Which evaluation set the default matrix's accuracy step scores per model: {@code large} for the
     * models named (those whose white-box accuracy targets need more than the small set's noise allows),
     * {@code small} for the others. The full matrix scores every model on its large set.
     *
     * @param why   the reason, for readers of the file
     * @param large models scored on their large set in the default matrix
     */
    public record AccuracySets(String why, List<String> large) {
        public AccuracySets {
            large = large == null ? List.of() : List.copyOf(large);
        }
    }

    /**
     * One rule: its operators on the models and deployments it names (every one when absent).
     *
     * @param why the reason for the rule, for readers of the file
     */
    public record Rule(String why, List<String> operators, List<String> models, List<String> deployments) {
        public Rule {
            if (operators == null || operators.isEmpty()) {
                throw new InvalidInputException(FILE + ": a rule of 'default' names no operators");
            }
            operators = List.copyOf(operators);
            models = models == null ? null : List.copyOf(models);
            deployments = deployments == null ? null : List.copyOf(deployments);
        }

        boolean covers(Matrix.Cell c) {
            return operators.contains(c.operator()) && (models == null || models.contains(c.model()))
                    && (deployments == null || deployments.contains(c.deployment()));
        }
    }

    public MatrixRules {
        if (schemaVersion != 1) {
            throw new InvalidInputException(FILE + ": schemaVersion " + schemaVersion + " is not 1");
        }
        defaults = defaults == null ? List.of() : List.copyOf(defaults);
        accuracySets = accuracySets == null ? new AccuracySets(null, List.of()) : accuracySets;
    }

    /** The evaluation set ({@code small} or {@code large}) the accuracy step of a {@code size} run scores {@code model} on. */
    public String accuracySet(String model, Matrix.Size size) {
        return size == Matrix.Size.FULL || accuracySets.large().contains(model) ? "large" : "small";
    }

    /**
     * The home's rules, every operator checked. A model or deployment a rule names but the home lacks
     * (a trimmed catalog) covers nothing; named in no catalog or profile at all it would be a typo, which
     * {@code MatrixRulesTest} guards against for the project's own file.
     */
    public static MatrixRules load(Suite suite) {
        Path file = suite.home().resolve(FILE);
        MatrixRules r = Json.read(file, MatrixRules.class);
        for (Rule rule : r.defaults) {
            for (String op : rule.operators) {
                try {
                    Operator.parse(op);
                } catch (InvalidInputException e) {
                    throw InvalidInputException.field(file, "default.operators", e.getMessage());
                }
            }
        }
        return r;
    }

    /** The models and deployments the rules name that {@code suite} does not have: none for the project's own home. */
    public Set<String> unknownNames(Suite suite) {
        Set<String> out = new LinkedHashSet<>();
        for (Rule rule : defaults) {
            if (rule.models != null) {
                rule.models.stream().filter(m -> !suite.catalog().models().containsKey(m)).forEach(out::add);
            }
            if (rule.deployments != null) {
                rule.deployments.stream().filter(d -> !suite.profiles().deployments().containsKey(d)).forEach(out::add);
            }
        }
        accuracySets.large().stream().filter(m -> !suite.catalog().models().containsKey(m)).forEach(out::add);
        return out;
    }

    /** The operators of the default matrix, identity first, in the order the rules name them. */
    public List<String> defaultOperators() {
        Set<String> all = new LinkedHashSet<>(List.of("identity"));
        defaults.forEach(r -> all.addAll(r.operators()));
        return List.copyOf(all);
    }

    /** The cells of {@code m} no rule covers: the default matrix leaves them out. */
    public Set<Matrix.Cell> uncovered(Matrix m) {
        Set<Matrix.Cell> out = new LinkedHashSet<>();
        for (Matrix.Cell c : m.cells()) {
            if (defaults.stream().noneMatch(r -> r.covers(c))) {
                out.add(c);
            }
        }
        return out;
    }

    /** Every operator the full matrix measures: identity, the black-box ones and the white-box ones. */
    public static List<String> fullOperators() {
        List<String> all = new ArrayList<>(List.of("identity"));
        all.addAll(Operator.BLACK_BOX);
        all.addAll(Operator.WHITE_BOX);
        return all;
    }
}
