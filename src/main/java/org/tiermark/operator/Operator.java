package org.tiermark.operator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tiermark.InvalidInputException;

/**
 * A black-box operator or a composition of them, as written on the command line: {@code identity},
 * {@code sptq}, {@code partition}, {@code early-exit}, or steps joined by {@code +} applied left to
 * right ({@code sptq+partition}: quantize, then cut so that the link carries uint8).
 */
public record Operator(String name, List<Step> steps) {
    /** One black-box transformation. */
    public enum Step {
        SPTQ("sptq"), PARTITION("partition"), EARLY_EXIT("early-exit");

        public final String word;

        Step(String word) {
            this.word = word;
        }
    }

    /** Every black-box variant the suite builds for each model. */
    public static final List<String> BLACK_BOX = List.of("sptq", "partition", "early-exit", "sptq+partition",
            "sptq+early-exit", "early-exit+partition", "sptq+early-exit+partition");

    private static final Set<String> WHITE_BOX = Set.of("qat", "prune", "distill");

    public Operator {
        steps = List.copyOf(steps);
    }

    public boolean isIdentity() {
        return steps.isEmpty();
    }

    public boolean has(Step s) {
        return steps.contains(s);
    }

    /** ONNX stages of the variant: two when partitioned. */
    public int stageCount() {
        return has(Step.PARTITION) ? 2 : 1;
    }

    /** Parses a name; a composition that makes no sense is refused with the reason. */
    public static Operator parse(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("operator: empty name; valid: identity, sptq, partition, early-exit and "
                    + "compositions with '+', e.g. sptq+partition");
        }
        String n = name.strip();
        if (n.equals("identity")) {
            return new Operator(n, List.of());
        }
        List<Step> steps = new ArrayList<>();
        Set<Step> seen = new HashSet<>();
        for (String part : n.split("\\+", -1)) {
            Step s = switch (part) {
                case "sptq" -> Step.SPTQ;
                case "partition" -> Step.PARTITION;
                case "early-exit" -> Step.EARLY_EXIT;
                case "identity" -> throw new InvalidInputException("operator '" + n + "': identity cannot be composed (it is the unchanged model)");
                default -> {
                    if (WHITE_BOX.contains(part)) {
                        throw new InvalidInputException("operator '" + n + "': '" + part + "' is a white-box operator (it trains); "
                                + "its variants are made by the training code, not composed here");
                    }
                    throw new InvalidInputException("operator '" + n + "': unknown step '" + part
                            + "'; valid: identity, sptq, partition, early-exit, joined by '+'");
                }
            };
            if (!seen.add(s)) {
                throw new InvalidInputException("operator '" + n + "': '" + s.word + "' appears twice; applying it again changes nothing or breaks the model");
            }
            steps.add(s);
        }
        int p = steps.indexOf(Step.PARTITION);
        if (p >= 0 && p != steps.size() - 1) {
            throw new InvalidInputException("operator '" + n + "': partition must be the last step (it makes two stages, "
                    + "and the other operators transform one model); e.g. write sptq+partition to quantize and then cut, "
                    + "so that the link carries the uint8 tensor");
        }
        return new Operator(n, steps);
    }
}
