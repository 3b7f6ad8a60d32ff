package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.Shapes;

/** {@code partition}: cuts the model at one tensor into a head and a tail stage ({@link Partition}). */
public final class PartitionStep extends NamedStep {
    static final String CUT = "partition.cut";

    public PartitionStep() {
        super("partition", 1, Map.of(CUT, "auto"));
    }

    @Override
    public void validate(Map<String, String> p) {
        if (p.get(CUT) == null || p.get(CUT).isBlank()) {
            throw new InvalidInputException(CUT + ": empty; give a tensor name or 'auto' "
                    + "(`tiermark variants --list-cuts MODEL` lists the valid cuts)");
        }
    }

    @Override
    public boolean producesStages() {
        return true;
    }

    @Override
    public List<String> tensorsNeeded(OnnxMl.ModelProto source, StepContext ctx) throws OrtException {
        OnnxGraph g = new OnnxGraph(source);
        return List.of(resolveCut(g, ctx.probe(g), ctx.param(CUT)).tensor());
    }

    @Override
    public StepResult apply(OnnxMl.ModelProto source, StepContext ctx) throws OrtException {
        OnnxGraph g = new OnnxGraph(source);
        Map<String, Shapes.Info> shapes = ctx.probe(g);
        // a cut pinned before an earlier step renamed it (sptq: 'stage3' -> 'stage3_quantized') is taken as is
        Partition.Cut cut = ctx.pinned().isEmpty() ? resolveCut(g, shapes, ctx.param(CUT))
                : Partition.require(g, ctx.pinned().get(0), shapes);
        Partition.Stages st = Partition.split(g, cut, shapes);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("cut", cut.tensor());
        s.put("cutBytes", cut.payloadBytes());
        s.put("passThroughInputs", cut.passThroughInputs());
        s.put("passThroughBytes", cut.passThroughBytes());
        VariantManifest.Link link = new VariantManifest.Link(cut.tensor(), cut.payloadBytes(), cut.passThroughInputs(),
                cut.passThroughBytes());
        return new StepResult(List.of(st.head(), st.tail()), s, Map.of(), link);
    }

    static Partition.Cut resolveCut(OnnxGraph g, Map<String, Shapes.Info> shapes, String cut) {
        return cut.isBlank() || cut.equals("auto") ? Partition.defaultCut(g, shapes) : Partition.require(g, cut, shapes);
    }
}
