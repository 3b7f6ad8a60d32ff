package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;

/** Runs ONNX models held in memory with ONNX Runtime: probing intermediate tensors, checking loading. */
public final class OrtRuns {
    private OrtRuns() {}

    /** Sees each requested tensor of one run. */
    @FunctionalInterface
    public interface TensorVisitor {
        void visit(String tensor, OnnxTensor value) throws OrtException;
    }

    /** Options for probing: one thread, basic optimizations (graph outputs are never fused away). */
    public static SessionOptions probeOptions() throws OrtException {
        return Sessions.options(Sessions.Settings.oneThread().withLevel(SessionOptions.OptLevel.BASIC_OPT));
    }

    /** A session over a model in memory; a model ONNX Runtime rejects is an error with its message. */
    public static OrtSession session(OrtEnvironment env, OnnxMl.ModelProto model, SessionOptions options, String what)
            throws OrtException {
        try {
            return env.createSession(model.toByteArray(), options);
        } catch (OrtException e) {
            throw new InvalidInputException(what + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    /** Runs {@code model} with {@code tensors} added as outputs and hands each of them to {@code visitor}. */
    public static void probe(OrtEnvironment env, OrtSession session, Map<String, OnnxTensor> inputs, List<String> tensors,
                             TensorVisitor visitor) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        for (String name : session.getInputNames()) {
            OnnxTensor t = inputs.get(name);
            if (t == null) {
                throw new InvalidInputException("the model needs input '" + name + "' but the samples give " + inputs.keySet());
            }
            feed.put(name, t);
        }
        try (OrtSession.Result r = session.run(feed, new LinkedHashSet<>(tensors))) {
            for (Map.Entry<String, OnnxValue> e : r) {
                if (e.getValue() instanceof OnnxTensor t) {
                    visitor.visit(e.getKey(), t);
                }
            }
        }
    }

    /**
     * Loads {@code file} with all optimizations, as the benchmarks do, and returns the op counts of
     * the graph ONNX Runtime actually runs (where QDQ patterns became integer kernels).
     */
    public static Map<String, Integer> optimizedOpCounts(OrtEnvironment env, Path file) throws OrtException, IOException {
        Path out = Files.createTempFile("tiermark-optimized", ".onnx");
        try (SessionOptions o = Sessions.options(Sessions.Settings.oneThread())) {
            o.setOptimizedModelFilePath(out.toString());
            try (OrtSession s = env.createSession(file.toString(), o)) {
                s.getNumInputs();
            } catch (OrtException e) {
                throw new InvalidInputException(file + ": ONNX Runtime cannot load it with ALL_OPT: " + e.getMessage(), e);
            }
            return OnnxGraph.opCounts(OnnxModels.load(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
