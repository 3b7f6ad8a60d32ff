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
     * named so that an unregistered one says what it is. {@code distill+qat}: the student fine-tuned
     * with fake quantization, against distill+sptq's calibrated quantization.
     */
    public static final List<String> WHITE_BOX = List.of("distill", "prune", "prune-channels", "qat", "finetune",
            "distill+sptq", "prune+sptq", "prune-channels+sptq", "finetune+sptq", "distill+partition",
            "distill+early-exit", "distill+sptq+partition", "distill+qat");

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
     * The rules of composition that follow from what steps do (their {@link OperatorStep#trains()},
     * {@link OperatorStep#trainsGivenModel()}, {@link OperatorStep#masksWeights()} and
     * {@link OperatorStep#quantizes()}), not from their names: a model is quantized once and nothing
     * trains after it is quantized; a step that builds its network from the catalog model (with its data
     * and teacher) comes first; a step that fine-tunes the model it is given may come right after another
     * training step, whose model it then starts from, unless that step's result is masked zeros its
     * training would regrow. Every refusal names the steps, says why, and suggests a chain that parses.
     */
    private static void refuseNonsense(String n, List<OperatorStep> steps) {
        List<OperatorStep> quantizing = steps.stream().filter(OperatorStep::quantizes).toList();
        if (quantizing.size() > 1) {
            throw new InvalidInputException("operator '" + n + "': " + quantizing.get(1).word() + " after "
                    + quantizing.get(0).word() + ": the model is already quantized; quantize once");
        }
        for (int i = 1; i < steps.size(); i++) {
            OperatorStep s = steps.get(i);
            if (!s.trains()) {
                continue;
            }
            List<OperatorStep> earlier = steps.subList(0, i);
            OperatorStep before = steps.get(i - 1);
            Optional<OperatorStep> quantized = earlier.stream().filter(OperatorStep::quantizes).findFirst();
            List<OperatorStep> trained = earlier.stream().filter(OperatorStep::trains).toList();
            if (quantized.isPresent()) {
                throw new InvalidInputException("operator '" + n + "': " + s.word() + " after " + quantized.get().word()
                        + ": training after quantization would train a float network and drop the quantization; train "
                        + "first" + suggestion(moved(steps, i, 0)));
            }
            if (trained.isEmpty()) {
                throw new InvalidInputException("operator '" + n + "': " + s.word() + " trains, so it must be the first step "
                        + "(training after " + before.word() + " would " + (s.trainsGivenModel()
                        ? "fine-tune " + before.word() + "'s rewritten graph, which no trainer reads: train first, then "
                        + before.word() : "train the catalog model and drop what " + before.word() + " did")
                        + ")" + suggestion(moved(steps, i, 0)));
            }
            OperatorStep previous = trained.get(trained.size() - 1);
            if (!s.trainsGivenModel()) {
                throw new InvalidInputException("operator '" + n + "': two training steps (" + previous.word() + ", " + s.word()
                        + "); " + s.word() + " builds its network from the catalog model with its own recipe, so it would "
                        + "discard what " + previous.word() + " trained (only a step that fine-tunes the model it is given, "
                        + "such as " + givenModelTrainers() + ", may follow a training step): choose one");
            }
            if (previous.masksWeights()) {
                throw new InvalidInputException("operator '" + n + "': " + s.word() + " after " + previous.word() + ": "
                        + previous.word() + "'s result is weights held at zero by masks only its own training keeps, and "
                        + s.word() + " would train them back to non-zero values; choose one" + (s.quantizes() ? quantizeInstead(previous) : ""));
            }
            if (!before.trains()) {
                throw new InvalidInputException("operator '" + n + "': " + s.word() + " fine-tunes the model "
                        + previous.word() + " trained, so it comes right after it, not after " + before.word() + " (whose "
                        + "rewritten graph no trainer reads)" + suggestion(moved(steps, i, steps.indexOf(previous) + 1)));
            }
        }
    }

    /** {@code steps} with the step at {@code from} moved to {@code to}. */
    private static List<OperatorStep> moved(List<OperatorStep> steps, int from, int to) {
        List<OperatorStep> m = new ArrayList<>(steps);
        m.add(to, m.remove(from));
        return m;
    }

    /** "; e.g. write a+b" when {@code chain} is a valid operator, else nothing (a suggestion must parse). */
    private static String suggestion(List<OperatorStep> chain) {
        String name = chain.stream().map(OperatorStep::word).collect(Collectors.joining("+"));
        try {
            parse(name);
            return "; e.g. write " + name;
        } catch (InvalidInputException e) {
            return "";
        }
    }

    private static String givenModelTrainers() {
        List<String> w = OperatorSteps.all().stream().filter(s -> s.trains() && s.trainsGivenModel()).map(OperatorStep::word).toList();
        return w.isEmpty() ? "none registered" : String.join(" or ", w);
    }

    /** "; to quantize its model, write x+sptq" with a registered step that quantizes without training, when one parses. */
    private static String quantizeInstead(OperatorStep trained) {
        return OperatorSteps.all().stream().filter(q -> q.quantizes() && !q.trains())
                .map(q -> suggestion(List.of(trained, q))).filter(x -> !x.isEmpty()).findFirst()
                .map(x -> x.replace("; e.g. write", "; to quantize its model, write")).orElse("");
    }
}
