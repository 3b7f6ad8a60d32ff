package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one step produced: its stages (one model, or head and tail), its manifest section, the new
 * names of renamed tensors (old name -> the tensor that now carries it) and, for a step that cuts,
 * what crosses the link.
 */
public record StepResult(List<OnnxMl.ModelProto> stages, Map<String, Object> section, Map<String, String> renamed,
                         VariantManifest.Link link) {
    public StepResult {
        stages = List.copyOf(stages);
        // insertion order kept: the section is written to the manifest as the step put it
        section = Collections.unmodifiableMap(new LinkedHashMap<>(section));
        renamed = Map.copyOf(renamed);
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a step produces at least one stage");
        }
    }

    /** A one-model result with nothing renamed and no link. */
    public static StepResult of(OnnxMl.ModelProto model, Map<String, Object> section) {
        return new StepResult(List.of(model), section, Map.of(), null);
    }
}
