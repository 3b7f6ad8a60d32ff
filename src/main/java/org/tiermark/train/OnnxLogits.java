package org.tiermark.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.tiermark.onnx.Sessions;

/** Runs an exported classifier in ONNX Runtime over preprocessed images: the other side of the export check. */
public final class OnnxLogits {
    private OnnxLogits() {}

    /** The logits of every image of {@code data}, batch by batch, with all graph optimizations on. */
    public static float[][] of(Path onnx, FmnistInputs data, int batchSize, int threads) throws OrtException {
        OrtEnvironment env = Sessions.environment();
        float[][] out = new float[data.size()][];
        try (OrtSession.SessionOptions o = Sessions.options(Sessions.Settings.threads(threads, 1))) {
            try (OrtSession session = env.createSession(onnx.toString(), o)) {
                int plane = data.plane();
                for (int from = 0; from < data.size(); from += batchSize) {
                    int n = Math.min(batchSize, data.size() - from);
                    FloatBuffer x = FloatBuffer.wrap(data.pixels(), from * plane, n * plane).slice();
                    try (OnnxTensor t = OnnxTensor.createTensor(env, x, new long[] {n, 1, data.side(), data.side()});
                         OrtSession.Result r = session.run(Map.of(FmnistInputs.TENSOR, t))) {
                        float[][] logits = (float[][]) r.get(0).getValue();
                        System.arraycopy(logits, 0, out, from, n);
                    }
                }
            }
        }
        return out;
    }

    /** The largest absolute difference between two sets of logits. */
    public static double maxAbsDiff(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("different counts: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }

    /** Top-1 accuracy of {@code logits} against {@code data}'s labels. */
    public static double accuracy(float[][] logits, FmnistInputs data) {
        int correct = 0;
        for (int i = 0; i < logits.length; i++) {
            correct += FashionMnistTrainer.argmax(logits[i]) == data.label(i) ? 1 : 0;
        }
        return correct / (double) logits.length;
    }
}
