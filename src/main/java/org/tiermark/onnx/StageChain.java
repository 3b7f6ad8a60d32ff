package org.tiermark.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;

/**
 * Runs a variant's stages one after the other in one process, each stage fed by tensor name from the
 * original inputs and the earlier stages' outputs (how a partition's tail finds the cut tensor and
 * the pass-through inputs). For checks and tests; the latency path is the runtime's.
 */
public final class StageChain {
    private StageChain() {}

    /** The float outputs of the last stage, copied out so that no native result outlives the call. */
    public static Map<String, float[]> run(List<OrtSession> stages, Map<String, OnnxTensor> inputs) throws OrtException {
        Map<String, OnnxTensor> available = new LinkedHashMap<>(inputs);
        List<OrtSession.Result> results = new ArrayList<>();
        try {
            Map<String, float[]> last = new LinkedHashMap<>();
            for (int s = 0; s < stages.size(); s++) {
                OrtSession stage = stages.get(s);
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                for (String name : stage.getInputNames()) {
                    OnnxTensor t = available.get(name);
                    if (t == null) {
                        throw new InvalidInputException("stage " + s + " needs input '" + name + "'; available: " + available.keySet());
                    }
                    feed.put(name, t);
                }
                OrtSession.Result r = stage.run(feed);
                results.add(r);
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    available.put(e.getKey(), t);
                    if (s == stages.size() - 1) {
                        FloatBuffer fb = t.getFloatBuffer();
                        if (fb != null) {
                            float[] v = new float[fb.remaining()];
                            fb.get(v);
                            last.put(e.getKey(), v);
                        }
                    }
                }
            }
            return last;
        } finally {
            results.forEach(OrtSession.Result::close);
        }
    }
}
