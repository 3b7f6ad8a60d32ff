package org.tiermark.operator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The registry of operator steps: what {@link Operator#parse} accepts. The black-box steps are
 * listed here; a step in a later package (a training step in {@code train/}, which operator/ must
 * not import) registers itself with one line in
 * {@code META-INF/services/org.tiermark.operator.OperatorStep}, found by {@link ServiceLoader}.
 */
public final class OperatorSteps {
    private static final List<OperatorStep> ALL = load();

    private static List<OperatorStep> load() {
        List<OperatorStep> all = new ArrayList<>(List.of(new SptqStep(), new PartitionStep(), new EarlyExitStep()));
        ServiceLoader.load(OperatorStep.class, OperatorSteps.class.getClassLoader()).forEach(all::add);
        Set<String> words = new HashSet<>();
        for (OperatorStep s : all) {
            if (!words.add(s.word()) || s.word().contains("+") || s.word().equals("identity")) {
                throw new IllegalStateException("operator step '" + s.word() + "' (" + s.getClass().getName()
                        + "): its word is taken, contains '+' or is 'identity'");
            }
        }
        return List.copyOf(all);
    }

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
