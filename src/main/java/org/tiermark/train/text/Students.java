package org.tiermark.train.text;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.tiermark.InvalidInputException;

/** Smaller classifiers made from a trained one: fewer layers (distillation's student), narrower feed-forward layers. */
public final class Students {
    private Students() {}

    /** A classifier whose layer {@code i} is {@code w}'s layer {@code layers[i]}; embeddings and head copied. */
    public static BertClassifier fromLayers(BertWeights w, int[] layers, NDManager manager) {
        checkLayers(layers, w.config().layers(), "layers");
        BertClassifier c = new BertClassifier(w.config().withLayers(layers.length), w.shape("word")[0],
                w.shape("position")[0], w.has("type"));
        for (String key : c.keys()) {
            c.set(key, w.value(source(key, layers)), manager);
        }
        return c;
    }

    /** Checks that {@code layers} are distinct, increasing, in {@code [0, depth)} and fewer than {@code depth}. */
    public static void checkLayers(int[] layers, int depth, String param) {
        if (layers.length == 0 || layers.length >= depth) {
            throw new InvalidInputException(param + ": the student must have between 1 and " + (depth - 1)
                    + " layers, fewer than its teacher's " + depth + " (got " + layers.length + ")");
        }
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] < 0 || layers[i] >= depth || (i > 0 && layers[i] <= layers[i - 1])) {
                throw new InvalidInputException(param + ": teacher layers must be increasing and in 0.." + (depth - 1)
                        + " (got " + Arrays.toString(layers) + ")");
            }
        }
    }

    /** Parses {@code "0,2,4"}, naming {@code param} when it is not a list of integers. */
    public static int[] parseLayers(String value, String param) {
        try {
            return Arrays.stream(value.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new InvalidInputException(param + ": a comma-separated list of teacher layer indices such as 0,2,4 (got '"
                    + value + "')");
        }
    }

    private static String source(String key, int[] layers) {
        int dot = key.indexOf('.');
        if (dot > 0 && Character.isDigit(key.charAt(0))) {
            return layers[Integer.parseInt(key.substring(0, dot))] + key.substring(dot);
        }
        return key;
    }

    /**
     * A classifier whose every feed-forward layer keeps the {@code round(ffn * (1 - sparsity))} intermediate
     * units with the largest L1 norm of their up-projection weights (a column of the {@code [in, out]}
     * matrix), in their original order.
     *
     * @return the classifier and, per layer, the kept unit indices
     */
    public static Narrowed narrowFeedForward(BertWeights w, double sparsity, NDManager manager) {
        BertConfig cfg = w.config();
        int keep = (int) Math.round(cfg.ffn() * (1 - sparsity));
        if (!(sparsity >= 0 && sparsity < 1) || keep < 1) {
            throw new InvalidInputException("prune-channels.sparsity: the share of feed-forward units removed must be in [0, 1)"
                    + " and leave at least one of " + cfg.ffn() + " (got " + sparsity + ")");
        }
        BertClassifier c = new BertClassifier(cfg.withFfn(keep), w.shape("word")[0], w.shape("position")[0], w.has("type"));
        int[][] kept = new int[cfg.layers()][];
        int h = cfg.hidden();
        int ffn = cfg.ffn();
        for (int l = 0; l < cfg.layers(); l++) {
            float[] up = w.value(l + ".intermediate.weight");
            double[] importance = new double[ffn];
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < ffn; j++) {
                    importance[j] += Math.abs(up[i * ffn + j]);
                }
            }
            int[] idx = IntStream.range(0, ffn).boxed()
                    .sorted(Comparator.comparingDouble((Integer j) -> -importance[j]).thenComparingInt(j -> j))
                    .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
            kept[l] = idx;
            float[] upKept = new float[h * keep];
            for (int i = 0; i < h; i++) {
                for (int k = 0; k < keep; k++) {
                    upKept[i * keep + k] = up[i * ffn + idx[k]];
                }
            }
            float[] bias = w.value(l + ".intermediate.bias");
            float[] biasKept = new float[keep];
            float[] down = w.value(l + ".output.weight");
            float[] downKept = new float[keep * h];
            for (int k = 0; k < keep; k++) {
                biasKept[k] = bias[idx[k]];
                System.arraycopy(down, idx[k] * h, downKept, k * h, h);
            }
            c.set(l + ".intermediate.weight", upKept, manager);
            c.set(l + ".intermediate.bias", biasKept, manager);
            c.set(l + ".output.weight", downKept, manager);
        }
        for (String key : c.keys()) {
            if (!key.matches("\\d+\\.(intermediate\\.(weight|bias)|output\\.weight)")) {
                c.set(key, w.value(key), manager);
            }
        }
        return new Narrowed(c, kept);
    }

    /** A classifier with narrower feed-forward layers and which units each layer kept. */
    public record Narrowed(BertClassifier classifier, int[][] kept) {}
}
