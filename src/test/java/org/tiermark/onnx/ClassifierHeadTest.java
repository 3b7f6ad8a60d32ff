package org.tiermark.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.data.TextPreprocessor;

/** The head appended in ONNX computes what masked mean pooling + a linear layer computes in Java. */
class ClassifierHeadTest {
    static final Path BASE = Path.of(System.getProperty("tiermark.home", ".")).resolve("models/base/all-minilm-l6-v2");
    static final int SEQ = 32;

    @TempDir
    Path dir;

    @Test
    void composedLogitsEqualPoolingAndLinearComputedInJava() throws Exception {
        Path encoder = BASE.resolve("all-minilm-l6-v2.onnx");
        assumeTrue(Files.isRegularFile(encoder), "the build unpacks MiniLM");
        Random rnd = new Random(3);
        float[][] w = new float[2][384];
        for (float[] row : w) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) rnd.nextGaussian();
            }
        }
        float[] b = {0.25f, -0.5f};
        ClassifierHead.Weights head = new ClassifierHead.Weights("t", "e", "o", List.of("ham", "spam"), w, b, null, null);
        Path composed = dir.resolve("head.onnx");
        ClassifierHead.composeFile(encoder, head, composed);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> sentences = List.of("Win a free cruise now!!!", "Meeting moved to 3pm, see agenda attached.",
                "short");
        try (TextPreprocessor tok = new TextPreprocessor(env, BASE.resolve("all-minilm-l6-v2-tokenizer.json"), SEQ);
             OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession enc = env.createSession(encoder.toString(), o);
                 OrtSession full = env.createSession(composed.toString(), o)) {
                assertEquals(List.of(ClassifierHead.LOGITS), List.copyOf(full.getOutputNames()));
                for (String s : sentences) {
                    Encoding e = tok.encode(s);
                    long[] shape = {1, SEQ};
                    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(e.getIds()), shape);
                         OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(e.getAttentionMask()), shape);
                         OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(e.getTypeIds()), shape)) {
                        Map<String, OnnxTensor> in = Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types);
                        float[][][] hidden;
                        try (OrtSession.Result r = enc.run(in)) {
                            hidden = (float[][][]) r.get(0).getValue();
                        }
                        float[] logits;
                        try (OrtSession.Result r = full.run(in)) {
                            logits = ((float[][]) r.get(0).getValue())[0];
                        }
                        long[] m = e.getAttentionMask();
                        double[] pooled = new double[384];
                        int count = 0;
                        for (int t = 0; t < SEQ; t++) {
                            if (m[t] == 1) {
                                count++;
                                for (int j = 0; j < 384; j++) {
                                    pooled[j] += hidden[0][t][j];
                                }
                            }
                        }
                        for (int c = 0; c < 2; c++) {
                            double expect = b[c];
                            for (int j = 0; j < 384; j++) {
                                expect += w[c][j] * pooled[j] / count;
                            }
                            assertEquals(expect, logits[c], 1e-3 * Math.max(1, Math.abs(expect)), s + " class " + c);
                        }
                    }
                }
            }
        }
    }
}
