package org.tiermark.operator;

import java.util.List;
import java.util.Optional;

/**
 * The registry of operator steps: what {@link Operator#parse} accepts. Adding an operator is one
 * class implementing {@link OperatorStep} and one entry here.
 */
public final class OperatorSteps {
    private static final List<OperatorStep> ALL = List.of(new SptqStep(), new PartitionStep(), new EarlyExitStep());

    private OperatorSteps() {}

    public static List<OperatorStep> all() {
        return ALL;
    }

    public static Optional<OperatorStep> find(String word) {
        return ALL.stream().filter(s -> s.word().equals(word)).findFirst();
    }

    /** The registered words, for error messages. */
    public static List<String> words() {
        return ALL.stream().map(OperatorStep::word).toList();
    }

    /** The step whose parameter keys start with {@code key}'s prefix ({@code sptq.} for {@code sptq.calibration.samples}). */
    static Optional<OperatorStep> owner(String key) {
        return ALL.stream().filter(s -> key.startsWith(s.word() + ".")).findFirst();
    }
}
