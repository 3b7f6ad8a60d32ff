package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxGraph;

/** {@code early-exit}: skips the last blocks and feeds an earlier block's output to the head ({@link EarlyExit}). */
public final class EarlyExitStep extends NamedStep {
    static final String DEPTH = "early-exit.depth";

    public EarlyExitStep() {
        super("early-exit", 3, Map.of(DEPTH, "1"));
    }

    @Override
    public void validate(Map<String, String> p) {
        if (StepContext.Params.parseInt(DEPTH, p.get(DEPTH)) < 1) {
            throw new InvalidInputException(DEPTH + ": must be >= 1 (got " + p.get(DEPTH) + ")");
        }
    }

    @Override
    public StepResult apply(OnnxMl.ModelProto source, StepContext ctx) throws OrtException {
        int depth = ctx.intParam(DEPTH);
        OnnxGraph g = new OnnxGraph(source);
        EarlyExit.Exit exit = EarlyExit.find(g, ctx.probe(g), depth);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("depth", depth);
        s.put("exit", exit.exit());
        s.put("skippedTo", exit.finalBlock());
        s.put("possibleExits", exit.exits());
        return StepResult.of(EarlyExit.apply(g, exit), s);
    }
}
