package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.InvalidInputException;

/**
 * Raises a model's default-domain opset to 13, the first with per-channel (axis) DequantizeLinear.
 * Only the changes that matter for the ops seen in exported CNNs and transformers are made
 * (Unsqueeze/Squeeze/ReduceSum axes become inputs); an op whose meaning changed otherwise is refused
 * by name rather than silently mis-converted.
 */
public final class OpsetUpgrade {
    private static final Set<String> AXES_TO_INPUT = Set.of("Unsqueeze", "Squeeze", "ReduceSum");
    /**
     * Ops that changed between 11 and 13 in ways that need a rewrite not done here. Resize is not
     * among them: Resize-13 only made its roi and scales inputs optional, so a valid Resize-11 node
     * means the same under opset 13 (and opsets below 11 are refused as a whole).
     */
    private static final Set<String> REFUSED = Set.of("Split", "Upsample", "Scan", "Loop", "If", "ScatterND");

    private OpsetUpgrade() {}

    public static int opset(OnnxMl.ModelProto model) {
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return (int) o.getVersion();
            }
        }
        return 1;
    }

    /** The model at opset >= 13 (unchanged when it already is) and IR version >= 7. */
    public static OnnxMl.ModelProto toAtLeast13(OnnxMl.ModelProto model) {
        return toAtLeast13(model, Map.of());
    }

    /** Softmax inputs whose rank must be known to upgrade (their axis is not -1). */
    public static List<String> softmaxInputsNeedingRank(OnnxMl.ModelProto model) {
        if (opset(model) >= 13) {
            return List.of();
        }
        return model.getGraph().getNodeList().stream()
                .filter(n -> (n.getOpType().equals("Softmax") || n.getOpType().equals("LogSoftmax"))
                        && OnnxGraph.intAttr(n, "axis", 1) != -1)
                .map(n -> n.getInput(0)).toList();
    }

    /**
     * As {@link #toAtLeast13(OnnxMl.ModelProto)}, with the ranks of Softmax inputs (from a probe run)
     * so that a Softmax over the last axis given as a positive number is accepted.
     */
    public static OnnxMl.ModelProto toAtLeast13(OnnxMl.ModelProto model, Map<String, Integer> ranks) {
        int from = opset(model);
        if (from >= 13) {
            return model;
        }
        if (from < 11) {
            throw new InvalidInputException("opset " + from + " is too old to quantize per channel (need >= 11, upgraded to 13)");
        }
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        int counter = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto n = g.getNode(i);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                continue;
            }
            if (REFUSED.contains(n.getOpType())) {
                throw new InvalidInputException("node '" + n.getName() + "' (" + n.getOpType() + ") changed meaning between opset "
                        + from + " and 13, which per-channel quantization needs; this op is not upgraded");
            }
            if (n.getOpType().equals("Softmax") || n.getOpType().equals("LogSoftmax")) {
                long axis = OnnxGraph.intAttr(n, "axis", 1);
                Integer rank = ranks.get(n.getInput(0));
                if (axis != -1 && (rank == null || axis != rank - 1)) {
                    // opset 11 coerces to 2-D from axis; 13 normalises one axis: equal only for the last axis.
                    throw new InvalidInputException("node '" + n.getName() + "' (" + n.getOpType() + " axis " + axis
                            + "): only axis -1 keeps its meaning when upgrading to opset 13");
                }
            }
            if (AXES_TO_INPUT.contains(n.getOpType())) {
                OnnxMl.AttributeProto axes = null;
                for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("axes")) {
                        axes = a;
                    }
                }
                if (axes == null) {
                    continue;
                }
                String name = n.getName() + "/axes_" + (counter++);
                long[] values = axes.getIntsList().stream().mapToLong(Long::longValue).toArray();
                g.addInitializer(Tensors.int64s(name, values, values.length));
                OnnxMl.NodeProto.Builder nb = n.toBuilder().clearAttribute();
                for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                    if (!a.getName().equals("axes")) {
                        nb.addAttribute(a);
                    }
                }
                List<String> inputs = n.getInputList();
                nb.clearInput().addInput(inputs.get(0)).addInput(name);
                g.setNode(i, nb.build());
            }
        }
        OnnxMl.ModelProto.Builder m = model.toBuilder().setGraph(g).clearOpsetImport();
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            m.addOpsetImport(o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx") ? o.toBuilder().setVersion(13).build() : o);
        }
        if (m.getIrVersion() < 7) {
            m.setIrVersion(7);
        }
        return m.build();
    }
}
