package org.tiermark.accuracy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.Scores;
import org.tiermark.data.SpamCorpus;
import org.tiermark.model.Catalog;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.TensorCodec;

/** F1 of the positive class (label 1) on JSONL text samples {@code {"text":..., "label":0|1}}, as MRPC F1. */
final class BinaryF1Evaluator implements Evaluator {
    private final List<SpamCorpus.Sample> samples;

    BinaryF1Evaluator(Catalog.Model model, Path jsonl, List<String> classes) {
        if (!classes.isEmpty() && classes.size() != 2) {
            throw InvalidInputException.field(model.file(), "evaluation.classes",
                    "binary-f1 needs exactly 2 classes (negative, positive), got " + classes);
        }
        samples = SpamCorpus.readJsonl(jsonl);
        if (samples.isEmpty()) {
            throw new InvalidInputException(jsonl + ": no samples");
        }
    }

    @Override
    public String metric() {
        return "f1";
    }

    @Override
    public int size() {
        return samples.size();
    }

    @Override
    public byte[] input(int i) {
        return samples.get(i).text().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Outcome judge(int i, DeploymentRunner.Answer answer) {
        TensorCodec.Decoded d = Evaluator.prediction(answer);
        int predicted;
        if (d.data().remaining() == Float.BYTES) {
            // one logit: positive when above 0
            predicted = d.data().duplicate().order(d.data().order()).getFloat(0) > 0 ? 1 : 0;
        } else {
            predicted = Evaluator.argmax(d);
        }
        return Outcome.classified(predicted, samples.get(i).label());
    }

    @Override
    public double value(List<Outcome> outcomes, int[] indices) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int i : indices) {
            Outcome o = outcomes.get(i);
            if (o.predicted() == 1 && o.label() == 1) {
                tp++;
            } else if (o.predicted() == 1) {
                fp++;
            } else if (o.label() == 1) {
                fn++;
            }
        }
        return Scores.f1(tp, fp, fn);
    }

    @Override
    public Map<String, Double> extra(List<Outcome> outcomes) {
        return Map.of("accuracy", Metrics.mean(outcomes, Metrics.all(outcomes.size()), Outcome::score));
    }
}
