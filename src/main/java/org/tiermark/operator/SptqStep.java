package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code sptq}: static post-training int8 quantization with calibration ({@link Sptq}). */
public final class SptqStep extends NamedStep {
    static final String SAMPLES = "sptq.calibration.samples";
    static final String METHOD = "sptq.calibration.method";
    static final String PERCENTILE = "sptq.calibration.percentile";

    public SptqStep() {
        // version 2: the output layer (classifier head) stays in float
        super("sptq", 2, Map.of(SAMPLES, "100", METHOD, "minmax", PERCENTILE, "99.999"));
    }

    @Override
    public void validate(Map<String, String> p) {
        params(p);
    }

    private static Sptq.Params params(Map<String, String> p) {
        int samples = StepContext.Params.parseInt(SAMPLES, p.get(SAMPLES));
        double percentile = StepContext.Params.parseDouble(PERCENTILE, p.get(PERCENTILE));
        return new Sptq.Params(samples, Sptq.Method.parse(p.get(METHOD).strip()), percentile, Set.of());
    }

    @Override
    public boolean quantizes() {
        return true;
    }

    /** The cut of a later partition must cross the link quantized: quantization renames it. */
    @Override
    public boolean renamesTensors() {
        return true;
    }

    @Override
    public StepResult apply(OnnxMl.ModelProto source, StepContext ctx) throws OrtException {
        Sptq.Params defaults = params(ctx.params());
        // tensors later steps read (a partition's cut) are quantized even when no quantized op reads them,
        // so that they cross the link as uint8; the later step finds them under their quantized names
        Sptq.Params p = new Sptq.Params(defaults.samples(), defaults.method(), defaults.percentile(), ctx.neededLater());
        Sptq.Result r = Sptq.apply(ctx.env(), source, ctx.source().calibration(), p);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("calibration", r.calibration());
        s.put("weights", "int8 symmetric per output channel");
        s.put("activations", "uint8 asymmetric per tensor");
        s.put("quantizedOps", r.quantizedOps());
        s.put("floatKept", r.floatKept());
        Map<String, String> renamed = new LinkedHashMap<>();
        for (String t : ctx.neededLater()) {
            renamed.put(t, Sptq.quantizedName(t));
        }
        return new StepResult(List.of(r.model()), s, renamed, null);
    }
}
