package org.tiermark.train.text;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tiermark.Scores;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.onnx.ClassifierHead;
import org.tiermark.onnx.Sessions;

/** Logits of a text classifier's ONNX graph computed by ONNX Runtime: the teacher's soft targets and the export check. */
public final class OrtLogits {
    private static final int BATCH = 16;

    private OrtLogits() {}

    /** Row-major {@code [n, classes]} logits of the first {@code n} texts of {@code data}. */
    public static float[] of(OrtEnvironment env, OnnxMl.ModelProto model, TokenizedTexts data, int n, int threads)
            throws OrtException {
        int s = data.sequence();
        float[] out = null;
        try (OrtSession.SessionOptions o = Sessions.options(Sessions.Settings.threads(threads, 1));
             OrtSession session = env.createSession(model.toByteArray(), o)) {
            boolean types = session.getInputNames().contains(TextPreprocessor.TOKEN_TYPE_IDS);
            for (int from = 0; from < n; from += BATCH) {
                int b = Math.min(BATCH, n - from);
                long[] shape = {b, s};
                try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(data.ids(), from * s, b * s).slice(), shape);
                     OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(data.mask(), from * s, b * s).slice(), shape);
                     OnnxTensor tt = OnnxTensor.createTensor(env, LongBuffer.wrap(data.types(), from * s, b * s).slice(), shape)) {
                    Map<String, OnnxTensor> in = new LinkedHashMap<>();
                    in.put(TextPreprocessor.INPUT_IDS, ids);
                    in.put(TextPreprocessor.ATTENTION_MASK, mask);
                    if (types) {
                        in.put(TextPreprocessor.TOKEN_TYPE_IDS, tt);
                    }
                    try (OrtSession.Result r = session.run(in)) {
                        float[][] logits = (float[][]) r.get(ClassifierHead.LOGITS).orElseThrow().getValue();
                        if (out == null) {
                            out = new float[n * logits[0].length];
                        }
                        for (int i = 0; i < b; i++) {
                            System.arraycopy(logits[i], 0, out, (from + i) * logits[i].length, logits[i].length);
                        }
                    }
                }
            }
        }
        return out == null ? new float[0] : out;
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("logits of different lengths: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** F1 of class 1 of argmax predictions from {@code [n, classes]} logits. */
    public static double f1(float[] logits, int[] labels) {
        int classes = logits.length / labels.length;
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            if (best == 1 && labels[i] == 1) {
                tp++;
            } else if (best == 1) {
                fp++;
            } else if (labels[i] == 1) {
                fn++;
            }
        }
        return Scores.f1(tp, fp, fn);
    }
}
