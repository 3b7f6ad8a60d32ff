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

    /**
     * The white-box operators (they train) and their hybrids, for the models a trainer applies to;
     * named so that an unregistered one says what it is.
     */
    public static final List<String> WHITE_BOX = List.of("distill", "prune", "prune-channels", "qat", "finetune",
            "distill+sptq", "prune+sptq", "prune-channels+sptq", "finetune+sptq", "distill+partition",
            "distill+early-exit", "distill+sptq+partition");

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
                // a training step lives in train/ and registers itself: missing only when that is not on the class path
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
        refuseNonsense(n, steps);
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

    /**
     * The rules of composition that follow from what steps do (their {@link OperatorStep#trains()} and
     * {@link OperatorStep#quantizes()}), not from their names: training starts from the catalog model
     * with its data and teacher, so a training step comes first and only once; a model is quantized once.
     */
    private static void refuseNonsense(String n, List<OperatorStep> steps) {
        List<OperatorStep> training = steps.stream().filter(OperatorStep::trains).toList();
        if (training.size() > 1) {
            throw new InvalidInputException("operator '" + n + "': two training steps (" + training.stream()
                    .map(OperatorStep::word).collect(Collectors.joining(", ")) + "); each trains from the catalog model "
                    + "with its own recipe, so the second would discard the first: choose one");
        }
        List<OperatorStep> quantizing = steps.stream().filter(OperatorStep::quantizes).toList();
        if (quantizing.size() > 1) {
            throw new InvalidInputException("operator '" + n + "': " + quantizing.get(1).word() + " after "
                    + quantizing.get(0).word() + ": the model is already quantized; quantize once");
        }
        for (int i = 1; i < steps.size(); i++) {
            OperatorStep s = steps.get(i);
            if (s.trains()) {
                OperatorStep before = steps.get(i - 1);
                throw new InvalidInputException("operator '" + n + "': " + s.word() + " trains, so it must be the first step "
                        + "(training after " + (before.quantizes() ? "quantization" : before.word()) + " would train the "
                        + "catalog model and drop what " + before.word() + " did); e.g. write " + s.word() + "+"
                        + steps.stream().filter(t -> t != s).map(OperatorStep::word).collect(Collectors.joining("+")));
            }
        }
    }
}
