package org.tiermark.accuracy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tiermark.InvalidInputException;
import org.tiermark.model.Catalog;
import org.tiermark.runtime.DeploymentRunner;

/** Top-1 accuracy on a folder of images with {@code labels.csv} ({@code file,label}, label = class index). */
final class ClassificationEvaluator implements Evaluator {
    static final String LABELS = "labels.csv";

    private final List<byte[]> images = new ArrayList<>();
    private final int[] labels;

    ClassificationEvaluator(Catalog.Model model, Path folder, List<String> classes) {
        if (classes.isEmpty()) {
            throw InvalidInputException.field(model.file(), "evaluation.classes", "classification needs the class names in label order");
        }
        Path csv = folder.resolve(LABELS);
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException(csv + ": cannot read the labels (expected a CSV 'file,label'): " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).strip().equals("file,label")) {
            throw new InvalidInputException(csv + ": line 1: expected the header 'file,label'");
        }
        List<Integer> ls = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(",");
            int label;
            try {
                label = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : -1;
            } catch (NumberFormatException e) {
                label = Integer.MIN_VALUE;
            }
            if (parts.length != 2 || label == Integer.MIN_VALUE) {
                throw new InvalidInputException(csv + ": line " + (i + 1) + ": expected 'file,label' with an integer label");
            }
            if (label < 0 || label >= classes.size()) {
                throw new InvalidInputException(csv + ": line " + (i + 1) + ": label " + label
                        + " is outside the class range 0.." + (classes.size() - 1) + " (" + String.join(", ", classes) + ")");
            }
            Path img = folder.resolve(parts[0].strip());
            try {
                images.add(Files.readAllBytes(img));
            } catch (IOException e) {
                throw new InvalidInputException(csv + ": line " + (i + 1) + ": image not found: " + img, e);
            }
            ls.add(label);
        }
        if (ls.isEmpty()) {
            throw new InvalidInputException(csv + ": no samples");
        }
        labels = ls.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String metric() {
        return "top1";
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public byte[] input(int i) {
        return images.get(i);
    }

    @Override
    public Outcome judge(int i, DeploymentRunner.Answer answer) {
        return Outcome.classified(Evaluator.argmax(Evaluator.prediction(answer)), labels[i]);
    }

    @Override
    public double value(List<Outcome> outcomes, int[] indices) {
        return Metrics.mean(outcomes, indices, Outcome::score);
    }
}
