package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an operator's steps in order, each on the previous step's model. Steps never look at each
 * other: when a step renames tensors (sptq puts a tensor behind a QuantizeLinear), the pipeline
 * first asks every later step which tensors of the current model it will read (a partition's cut),
 * passes them to the renaming step to keep readable, and later hands each asking step its tensors
 * under their new names.
 */
final class Pipeline {
    /** The final stages, each step's manifest section in chain order, and the link when a step cut. */
    record Output(List<OnnxMl.ModelProto> stages, Map<String, Map<String, Object>> sections, VariantManifest.Link link) {}

    private Pipeline() {}

    static Output run(OrtEnvironment env, VariantBuilder.Source src, Operator op, Map<String, String> params,
                      OnnxMl.ModelProto source) throws OrtException {
        List<OperatorStep> steps = op.steps();
        Map<Integer, List<String>> pinned = new HashMap<>();
        Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
        List<OnnxMl.ModelProto> stages = List.of(source);
        VariantManifest.Link link = null;
        for (int i = 0; i < steps.size(); i++) {
            OperatorStep step = steps.get(i);
            OnnxMl.ModelProto model = stages.get(0);
            Set<String> neededLater = new LinkedHashSet<>();
            if (step.renamesTensors()) {
                for (int j = i + 1; j < steps.size(); j++) {
                    if (!pinned.containsKey(j)) {
                        OperatorStep later = steps.get(j);
                        List<String> needs = later.tensorsNeeded(model, context(env, src, params, later, Set.of(), List.of()));
                        pinned.put(j, new ArrayList<>(needs));
                        neededLater.addAll(needs);
                    }
                }
            }
            StepResult r = step.apply(model, context(env, src, params, step, neededLater, pinned.getOrDefault(i, List.of())));
            for (List<String> names : pinned.values()) {
                names.replaceAll(t -> r.renamed().getOrDefault(t, t));
            }
            sections.put(step.word(), r.section());
            stages = r.stages();
            if (r.link() != null) {
                link = r.link();
            }
        }
        return new Output(stages, sections, link);
    }

    private static StepContext context(OrtEnvironment env, VariantBuilder.Source src, Map<String, String> params,
                                       OperatorStep step, Set<String> neededLater, List<String> pinned) {
        Map<String, String> own = new LinkedHashMap<>();
        step.parameters().keySet().forEach(k -> own.put(k, params.get(k)));
        return new StepContext(env, src, own, neededLater, pinned);
    }
}
