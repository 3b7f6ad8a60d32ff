package org.tiermark.operator;

import java.nio.file.Path;
import java.util.List;

/**
 * What an operator produced from a model: one ONNX file per stage, in execution order, and the
 * manifest describing how (null for {@code identity}, which is the base model itself).
 */
public record Variant(String model, String operator, List<Path> stages, Path manifest) {
    public Variant {
        stages = List.copyOf(stages);
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a variant has at least one stage");
        }
    }

    public static Variant identity(String model, Path onnx) {
        return new Variant(model, "identity", List.of(onnx), null);
    }

    public int stageCount() {
        return stages.size();
    }
}
