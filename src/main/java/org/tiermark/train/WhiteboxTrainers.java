package org.tiermark.train;

import java.util.List;
import java.util.Optional;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.train.text.TextChannelPruning;
import org.tiermark.train.text.TextDistill;
import org.tiermark.train.text.TextFinetune;
import org.tiermark.train.text.TextPruning;
import org.tiermark.train.text.TextQat;

/** The registry of white-box trainers: one line per trainer (operator x family of models). */
public final class WhiteboxTrainers {
    private static final List<WhiteboxTrainer> ALL = List.of(
            // the CNNs (image classification)
            CnnTrainer.distill(), CnnTrainer.prune(), CnnTrainer.pruneChannels(), CnnTrainer.qat(),
            // sentence encoders with a classification head
            new TextDistill(), new TextFinetune(), new TextChannelPruning(), new TextPruning(), new TextQat()
    );

    private WhiteboxTrainers() {}

    public static List<WhiteboxTrainer> all() {
        return ALL;
    }

    /** The trainer of {@code operator} for models like {@code source}, if any. */
    public static Optional<WhiteboxTrainer> find(String operator, VariantBuilder.Source source) {
        return ALL.stream().filter(t -> t.operator().equals(operator) && t.trains(source)).findFirst();
    }
}
