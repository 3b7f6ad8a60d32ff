package org.tiermark.train.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.operator.VariantBuilder;

/**
 * {@code prune} for the text classifiers: gradual magnitude pruning (Zhu and Gupta's cubic schedule)
 * of every encoder linear weight matrix to {@code prune.sparsity} while fine-tuning on the labels. Each
 * matrix holds its own share of zeros (the smallest magnitudes), the masks are updated every
 * {@code prune.update-every} steps of the ramp and re-applied after every optimizer step (Adam regrows
 * pruned weights), and the achieved sparsity of every matrix is recorded. Dense kernels gain no speed
 * from it: the point is the accuracy at that sparsity.
 */
public final class TextPruning extends TextTrainer {
    public TextPruning() {
        // 0.75 as the CNN trainer's default (one default per key); the text models' descriptors set 0.9
        super("prune", 1, 5e-5, Map.of("prune.sparsity", "0.75", "prune.ramp-share", "0.7", "prune.update-every", "10"));
    }

    @Override
    void validateOwn(Map<String, String> params, VariantBuilder.Source source) {
        double s = doubleParam(params, "sparsity");
        if (!(s >= 0 && s < 1)) {
            throw new InvalidInputException("prune.sparsity: the share of zero weights per matrix must be in [0, 1) (got " + s + ")");
        }
        double ramp = doubleParam(params, "ramp-share");
        if (!(ramp > 0 && ramp <= 1)) {
            throw new InvalidInputException("prune.ramp-share: must be in (0, 1] (got " + ramp + ")");
        }
        if (intParam(params, "update-every") < 1) {
            throw new InvalidInputException("prune.update-every: must be >= 1 (got " + param(params, "update-every") + ")");
        }
    }

    /** Cubic schedule: the sparsity to hold after {@code step} of a ramp of {@code rampSteps}. */
    static double scheduled(double target, int step, int rampSteps) {
        double progress = Math.min(1.0, step / (double) Math.max(1, rampSteps));
        return target * (1 - Math.pow(1 - progress, 3));
    }

    @Override
    Plan plan(BertWeights source, OnnxMl.ModelProto sourceModel, NDManager manager, Map<String, String> params,
              TokenizedTexts data, OrtEnvironment env, Path work) {
        double target = doubleParam(params, "sparsity");
        double rampShare = doubleParam(params, "ramp-share");
        int every = intParam(params, "update-every");
        BertClassifier network = BertClassifier.of(source, manager);
        network.freezeEmbeddingTables();
        Masks masks = new Masks(network, manager);
        TextTrainingLoop.AfterStep after = (step, total) -> {
            int ramp = (int) Math.ceil(total * rampShare);
            if (step <= ramp && (step % every == 0 || step == ramp)) {
                masks.update(scheduled(target, step, ramp));
            }
            masks.apply();
        };
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("targetSparsity", target);
        details.put("schedule", "cubic from 0 over the first " + rampShare + " of the steps, masks updated every " + every
                + " steps, re-applied after every step");
        details.put("pruned", "the encoder's linear weight matrices (query, key, value, attention output, intermediate, output)");
        return new Plan(network, Loss.softmaxCrossEntropyLoss(), null, after, details, () -> {
            // the final masks at the target, whatever the run's length
            masks.update(target);
            masks.apply();
            Map<String, Object> achieved = new LinkedHashMap<>();
            for (String k : network.linearWeights()) {
                achieved.put(k, Math.round(zeros(network.get(k)) * 1e4) / 1e4);
            }
            masks.close();
            return Map.of("achievedSparsity", achieved);
        });
    }

    static double zeros(float[] w) {
        int z = 0;
        for (float v : w) {
            z += v == 0f ? 1 : 0;
        }
        return z / (double) w.length;
    }

    /** One 0/1 mask per pruned matrix, on the model's manager. */
    static final class Masks implements AutoCloseable {
        private final BertClassifier network;
        private final NDManager manager;
        private final Map<String, NDArray> masks = new LinkedHashMap<>();

        Masks(BertClassifier network, NDManager manager) {
            this.network = network;
            this.manager = manager;
        }

        /** Masks the {@code round(sparsity * size)} smallest magnitudes of every matrix. */
        void update(double sparsity) {
            for (String k : network.linearWeights()) {
                float[] w = network.get(k);
                float[] m = mask(w, (int) Math.round(sparsity * w.length));
                NDArray old = masks.put(k, manager.create(m, network.shape(k)));
                if (old != null) {
                    old.close();
                }
            }
        }

        /** 1 everywhere except at the {@code k} smallest |w| (ties broken by index, so exactly k zeros). */
        static float[] mask(float[] w, int k) {
            float[] m = new float[w.length];
            Arrays.fill(m, 1f);
            if (k <= 0) {
                return m;
            }
            Integer[] idx = new Integer[w.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> {
                int c = Float.compare(Math.abs(w[a]), Math.abs(w[b]));
                return c != 0 ? c : Integer.compare(a, b);
            });
            for (int i = 0; i < Math.min(k, w.length); i++) {
                m[idx[i]] = 0f;
            }
            return m;
        }

        void apply() {
            for (Map.Entry<String, NDArray> e : masks.entrySet()) {
                network.parameter(e.getKey()).getArray().muli(e.getValue());
            }
        }

        @Override
        public void close() {
            masks.values().forEach(NDArray::close);
            masks.clear();
        }
    }
}
