package org.tiermark.train;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.Scores;
import org.tiermark.build.BuildModels;
import org.tiermark.build.NpmPackage;
import org.tiermark.data.SpamCorpus;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.model.Catalog;
import org.tiermark.model.ModelDescriptor;
import org.tiermark.onnx.ClassifierHead;
import org.tiermark.onnx.Sessions;

/**
 * Trains the linear classification head of a text model: the encoder with mean pooling (run by ONNX
 * Runtime) turns every training e-mail into a 384-d vector, and a softmax regression with L2 is fit
 * on them in plain Java (full-batch gradient descent, deterministic). The L2 strength is chosen on a
 * seeded 10% hold-out of the training split; evaluation data are never seen.
 */
public final class HeadTrainer {
    /** Which encoder each text classifier is built on, relative to {@code models/}. */
    public static final Map<String, String> ENCODERS = Map.of(
            "minilm-spam", "base/all-minilm-l6-v2/all-minilm-l6-v2.onnx",
            "bge-spam", "base/bge-small-en-v15/bge-small-en-v1.5.onnx");
    public static final long SEED = 7L;
    private static final double[] LAMBDAS = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
    private static final int ITERATIONS = 1500;
    private static final int BATCH = 16;

    private HeadTrainer() {}

    /** What one training run did, for the log and the head file. */
    public record Result(ClassifierHead.Weights weights, double holdoutF1, double trainF1, double lambda, int samples,
                         double embedSeconds) {}

    /**
     * Trains the head of {@code modelName} (a key of {@link #ENCODERS}) on the spam training split,
     * writes {@code models/heads/<model>.json} and composes the model's ONNX file.
     */
    public static Result train(Path home, String modelName, int limit, int threads) throws IOException, OrtException {
        String encoderRel = ENCODERS.get(modelName);
        if (encoderRel == null) {
            throw InvalidInputException.unknown("text classifier", modelName, null, ENCODERS.keySet().stream().sorted().toList());
        }
        Path models = home.resolve("models");
        Catalog catalog = Catalog.load(models);
        Catalog.Model model = catalog.models().get(modelName);
        if (model == null) {
            throw new InvalidInputException(models.resolve(modelName + ".json") + ": descriptor not found");
        }
        ModelDescriptor.InputSpec in = model.descriptor().input();
        SpamCorpus.Splits splits = SpamCorpus.splits(home.resolve(SpamCorpus.PACKAGE_FOLDER));
        List<SpamCorpus.Sample> train = splits.train().subList(0, Math.min(limit, splits.train().size()));

        Path encoder = models.resolve(encoderRel);
        long t0 = System.nanoTime();
        List<String> texts = train.stream().map(SpamCorpus.Sample::text).toList();
        Path cache = model.onnx().resolveSibling("train-embeddings.bin");
        byte[] key = cacheKey(encoderRel, in.sequenceLength(), texts);
        float[][] x = EmbeddingCache.read(cache, key);
        if (x == null) {
            Path poolingOnnx = Files.createTempFile("tiermark-pooling", ".onnx");
            try {
                Files.write(poolingOnnx, ClassifierHead.pooling(ClassifierHead.read(encoder)).toByteArray());
                x = embed(poolingOnnx, model.tokenizer(), in.sequenceLength(), texts, threads);
            } finally {
                Files.deleteIfExists(poolingOnnx);
            }
            EmbeddingCache.write(cache, key, x);
        }
        double embedSeconds = (System.nanoTime() - t0) / 1e9;
        int[] y = train.stream().mapToInt(SpamCorpus.Sample::label).toArray();

        // choose L2 on a seeded hold-out, then refit on everything
        int n = x.length;
        int[] order = shuffled(n, new Random(SEED));
        int holdout = n / 10;
        int[] fitIdx = java.util.Arrays.copyOfRange(order, holdout, n);
        int[] holdIdx = java.util.Arrays.copyOfRange(order, 0, holdout);
        double bestF1 = -1;
        double bestLambda = LAMBDAS[0];
        for (double lambda : LAMBDAS) {
            float[][] wb = fit(x, y, fitIdx, 2, lambda);
            double f1 = f1(wb, x, y, holdIdx);
            if (f1 > bestF1) {
                bestF1 = f1;
                bestLambda = lambda;
            }
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        float[][] wb = fit(x, y, all, 2, bestLambda);
        double trainF1 = f1(wb, x, y, all);
        int hidden = x[0].length;
        float[][] weight = new float[2][];
        float[] bias = new float[2];
        for (int c = 0; c < 2; c++) {
            weight[c] = java.util.Arrays.copyOf(wb[c], hidden);
            bias[c] = wb[c][hidden];
        }
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("data", "npm " + NpmPackage.SPAM_ASSASSIN.id() + ", train split (seed "
                + SpamCorpus.SPLIT_SEED + "), disjoint from calibration and evaluation");
        training.put("samples", n);
        training.put("method", "softmax regression on mean-pooled embeddings, L2 chosen on a 10% hold-out (seed " + SEED
                + "), full-batch Nesterov gradient descent, " + ITERATIONS + " iterations, standardization folded into the weights");
        training.put("lambda", bestLambda);
        training.put("holdoutF1", round(bestF1));
        training.put("trainF1", round(trainF1));
        ClassifierHead.Weights head = new ClassifierHead.Weights(modelName, encoderRel, model.descriptor().onnx(),
                List.of("ham", "spam"), weight, bias, "tiermark train --model " + modelName, training);
        Path headFile = models.resolve("heads").resolve(modelName + ".json");
        Json.writeAtomically(headFile, head);
        BuildModels.composeHead(models, headFile);
        return new Result(head, bestF1, trainF1, bestLambda, n, embedSeconds);
    }

    /** What the embeddings depend on: the encoder, the sequence length and the texts in order. */
    private static byte[] cacheKey(String encoder, int sequenceLength, List<String> texts) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update((encoder + "\n" + sequenceLength + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (String t : texts) {
                md.update(t.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Pooled training embeddings kept beside the composed model (git-ignored), so retraining the head is quick. */
    static final class EmbeddingCache {
        private EmbeddingCache() {}

        static float[][] read(Path file, byte[] key) throws IOException {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
                byte[] k = in.readNBytes(key.length);
                if (!java.util.Arrays.equals(k, key)) {
                    return null;
                }
                int n = in.readInt();
                int d = in.readInt();
                float[][] x = new float[n][d];
                for (float[] row : x) {
                    for (int j = 0; j < d; j++) {
                        row[j] = in.readFloat();
                    }
                }
                return x;
            }
        }

        static void write(Path file, byte[] key, float[][] x) throws IOException {
            var bytes = new java.io.ByteArrayOutputStream();
            try (var out = new java.io.DataOutputStream(bytes)) {
                out.write(key);
                out.writeInt(x.length);
                out.writeInt(x[0].length);
                for (float[] row : x) {
                    for (float v : row) {
                        out.writeFloat(v);
                    }
                }
            }
            org.tiermark.AtomicFiles.write(file, bytes.toByteArray());
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    /** Mean-pooled embeddings of {@code texts}, tokenized exactly as the benchmarks and the accuracy step do. */
    public static float[][] embed(Path poolingOnnx, Path tokenizer, int sequenceLength, List<String> texts, int threads)
            throws OrtException {
        OrtEnvironment env = Sessions.environment();
        float[][] out = new float[texts.size()][];
        try (TextPreprocessor tok = new TextPreprocessor(env, tokenizer, sequenceLength);
             OrtSession.SessionOptions o = Sessions.options(Sessions.Settings.threads(threads, 1))) {
            try (OrtSession session = env.createSession(poolingOnnx.toString(), o)) {
                for (int start = 0; start < texts.size(); start += BATCH) {
                    int b = Math.min(BATCH, texts.size() - start);
                    long[] ids = new long[b * sequenceLength];
                    long[] mask = new long[b * sequenceLength];
                    long[] types = new long[b * sequenceLength];
                    for (int i = 0; i < b; i++) {
                        Encoding e = tok.encode(texts.get(start + i));
                        System.arraycopy(e.getIds(), 0, ids, i * sequenceLength, sequenceLength);
                        System.arraycopy(e.getAttentionMask(), 0, mask, i * sequenceLength, sequenceLength);
                        System.arraycopy(e.getTypeIds(), 0, types, i * sequenceLength, sequenceLength);
                    }
                    long[] shape = {b, sequenceLength};
                    try (OnnxTensor tIds = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                         OnnxTensor tMask = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                         OnnxTensor tTypes = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape)) {
                        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
                        inputs.put(TextPreprocessor.INPUT_IDS, tIds);
                        inputs.put(TextPreprocessor.ATTENTION_MASK, tMask);
                        if (session.getInputNames().contains(TextPreprocessor.TOKEN_TYPE_IDS)) {
                            inputs.put(TextPreprocessor.TOKEN_TYPE_IDS, tTypes);
                        }
                        try (OrtSession.Result r = session.run(inputs)) {
                            float[][] pooled = (float[][]) r.get(ClassifierHead.POOLED).orElseThrow().getValue();
                            System.arraycopy(pooled, 0, out, start, b);
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Softmax regression on standardized features; returns [classes][hidden + 1] (bias last) in the
     * original feature space, so the composed graph applies it to raw pooled embeddings.
     */
    static float[][] fit(float[][] x, int[] y, int[] idx, int classes, double lambda) {
        int d = x[0].length;
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int i : idx) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[i][j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= idx.length;
        }
        for (int i : idx) {
            for (int j = 0; j < d; j++) {
                double v = x[i][j] - mean[j];
                std[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j] / idx.length) + 1e-6;
        }
        // step 1/L, with L the gradient's Lipschitz bound 0.5 * lambda_max(Z'Z/n) + lambda (power iteration)
        double[] v = new double[d + 1];
        java.util.Arrays.fill(v, 1.0);
        double lmax = 1;
        double[] zi = new double[d + 1];
        for (int it = 0; it < 30; it++) {
            double[] nv = new double[d + 1];
            for (int i : idx) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    zi[j] = (x[i][j] - mean[j]) / std[j];
                    dot += zi[j] * v[j];
                }
                zi[d] = 1;
                dot += v[d];
                for (int j = 0; j <= d; j++) {
                    nv[j] += dot * zi[j] / idx.length;
                }
            }
            double norm = 0;
            for (double q : nv) {
                norm += q * q;
            }
            lmax = Math.sqrt(norm);
            for (int j = 0; j <= d; j++) {
                v[j] = nv[j] / lmax;
            }
        }
        double lr = 1.0 / (0.5 * lmax + lambda);
        double[][] w = new double[classes][d + 1];
        double[][] prev = new double[classes][d + 1];
        double[][] look = new double[classes][d + 1];
        double[][] grad = new double[classes][d + 1];
        double[] z = new double[d];
        double[] p = new double[classes];
        for (int it = 0; it < ITERATIONS; it++) {
            // Nesterov: gradient at the look-ahead point
            double mom = it / (it + 3.0);
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j <= d; j++) {
                    look[c][j] = w[c][j] + mom * (w[c][j] - prev[c][j]);
                }
            }
            for (double[] g : grad) {
                java.util.Arrays.fill(g, 0);
            }
            for (int i : idx) {
                for (int j = 0; j < d; j++) {
                    z[j] = (x[i][j] - mean[j]) / std[j];
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    double s = look[c][d];
                    for (int j = 0; j < d; j++) {
                        s += look[c][j] * z[j];
                    }
                    p[c] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    p[c] = Math.exp(p[c] - max);
                    sum += p[c];
                }
                for (int c = 0; c < classes; c++) {
                    double err = p[c] / sum - (y[i] == c ? 1 : 0);
                    for (int j = 0; j < d; j++) {
                        grad[c][j] += err * z[j];
                    }
                    grad[c][d] += err;
                }
            }
            for (int c = 0; c < classes; c++) {
                System.arraycopy(w[c], 0, prev[c], 0, d + 1);
                for (int j = 0; j <= d; j++) {
                    double reg = j < d ? lambda * look[c][j] : 0;
                    w[c][j] = look[c][j] - lr * (grad[c][j] / idx.length + reg);
                }
            }
        }
        float[][] out = new float[classes][d + 1];
        for (int c = 0; c < classes; c++) {
            double b = w[c][d];
            for (int j = 0; j < d; j++) {
                out[c][j] = (float) (w[c][j] / std[j]);
                b -= w[c][j] * mean[j] / std[j];
            }
            out[c][d] = (float) b;
        }
        return out;
    }

    /** F1 of class 1 for weights [classes][d + 1] on the given samples. */
    static double f1(float[][] wb, float[][] x, int[] y, int[] idx) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        int d = x[0].length;
        for (int i : idx) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < wb.length; c++) {
                double s = wb[c][d];
                for (int j = 0; j < d; j++) {
                    s += wb[c][j] * x[i][j];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            if (best == 1 && y[i] == 1) {
                tp++;
            } else if (best == 1) {
                fp++;
            } else if (y[i] == 1) {
                fn++;
            }
        }
        return Scores.f1(tp, fp, fn);
    }

    private static int[] shuffled(int n, Random rnd) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        java.util.Collections.shuffle(l, rnd);
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
