package org.tiermark.operator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.tiermark.InvalidInputException;

/**
 * An operator as written on the command line: {@code identity}, one registered step
 * ({@link OperatorSteps}), or steps joined by {@code +} applied left to right as a pipeline
 * ({@code sptq+partition}: quantize, then cut so that the link carries uint8).
 */
public record Operator(String name, List<OperatorStep> steps) {
    /** Every black-box variant the suite builds for each model. */
    public static final List<String> BLACK_BOX = List.of("sptq", "partition", "early-exit", "sptq+partition",
            "sptq+early-exit", "early-exit+partition", "sptq+early-exit+partition");

    /** Training operators not registered yet: named so that the error says what they are. */
    private static final Set<String> WHITE_BOX = Set.of("qat", "prune", "prune-channels", "distill");

    public Operator {
        steps = List.copyOf(steps);
    }

    public boolean isIdentity() {
        return steps.isEmpty();
    }

    public boolean has(String word) {
        return steps.stream().anyMatch(s -> s.word().equals(word));
    }

    /** ONNX stages of the variant: two when a step cuts it. */
    public int stageCount() {
        return steps.stream().anyMatch(OperatorStep::producesStages) ? 2 : 1;
    }

    /** Parses a name; an unknown step lists the registered ones, a composition that makes no sense says why. */
    public static Operator parse(String name) {
        String valid = "identity, " + String.join(", ", OperatorSteps.words()) + " and compositions with '+', e.g. sptq+partition";
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("operator: empty name; valid: " + valid);
        }
        String n = name.strip();
        if (n.equals("identity")) {
            return new Operator(n, List.of());
        }
        List<OperatorStep> steps = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String part : n.split("\\+", -1)) {
            if (part.equals("identity")) {
                throw new InvalidInputException("operator '" + n + "': identity cannot be composed (it is the unchanged model)");
            }
            Optional<OperatorStep> s = OperatorSteps.find(part);
            if (s.isEmpty() && WHITE_BOX.contains(part)) {
                throw new InvalidInputException("operator '" + n + "': '" + part + "' is a white-box operator (it trains) "
                        + "that is not registered yet; registered: " + String.join(", ", OperatorSteps.words()));
            }
            if (s.isEmpty()) {
                throw new InvalidInputException("operator '" + n + "': unknown step '" + part + "'; valid: " + valid);
            }
            if (!seen.add(part)) {
                throw new InvalidInputException("operator '" + n + "': '" + part + "' appears twice; applying it again changes nothing or breaks the model");
            }
            steps.add(s.get());
        }
        for (int i = 0; i < steps.size() - 1; i++) {
            OperatorStep s = steps.get(i);
            if (s.producesStages()) {
                List<OperatorStep> reordered = new ArrayList<>(steps);
                reordered.remove(i);
                reordered.add(s);
                throw new InvalidInputException("operator '" + n + "': " + s.word() + " must be the last step (it makes two "
                        + "stages, and the other operators transform one model); e.g. write "
                        + reordered.stream().map(OperatorStep::word).collect(Collectors.joining("+")));
            }
        }
        return new Operator(n, steps);
    }
}
