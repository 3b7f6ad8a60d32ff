package org.tiermark.accuracy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/** The arithmetic of the accuracy step: IoU, box matching and the bootstrap interval (F1 is {@link org.tiermark.Scores#f1}). Pure functions. */
public final class Metrics {
    public static final int BOOTSTRAP_RESAMPLES = 1000;
    public static final long BOOTSTRAP_SEED = 20_240_326L;

    private Metrics() {}

    /** Intersection over union of two masks; two empty masks agree perfectly (1). */
    public static double iou(BitSet a, BitSet b) {
        BitSet inter = (BitSet) a.clone();
        inter.and(b);
        BitSet union = (BitSet) a.clone();
        union.or(b);
        return union.isEmpty() ? 1.0 : (double) inter.cardinality() / union.cardinality();
    }

    /** IoU of two boxes {@code [x0, y0, x1, y1]} with exclusive ends. */
    public static double boxIou(int[] a, int[] b) {
        long iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        long ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        long inter = iw * ih;
        long union = area(a) + area(b) - inter;
        return union == 0 ? 0 : (double) inter / union;
    }

    private static long area(int[] b) {
        return (long) (b[2] - b[0]) * (b[3] - b[1]);
    }

    /** True positives of a greedy one-to-one matching, highest IoU first, of pairs with IoU >= {@code minIou}. */
    public static int matchBoxes(List<int[]> predicted, List<int[]> truth, double minIou) {
        List<double[]> pairs = new ArrayList<>();
        for (int p = 0; p < predicted.size(); p++) {
            for (int t = 0; t < truth.size(); t++) {
                double iou = boxIou(predicted.get(p), truth.get(t));
                if (iou >= minIou) {
                    pairs.add(new double[] {iou, p, t});
                }
            }
        }
        pairs.sort((x, y) -> Double.compare(y[0], x[0]));
        boolean[] usedP = new boolean[predicted.size()];
        boolean[] usedT = new boolean[truth.size()];
        int tp = 0;
        for (double[] pr : pairs) {
            int p = (int) pr[1];
            int t = (int) pr[2];
            if (!usedP[p] && !usedT[t]) {
                usedP[p] = usedT[t] = true;
                tp++;
            }
        }
        return tp;
    }

    /** A metric over a resample: the indices (with repeats) of the samples it is computed on. */
    public interface Statistic {
        double on(int[] indices);
    }

    /**
     * The 95% percentile bootstrap interval of {@code statistic} over {@code n} samples: seeded, so the
     * same outcomes always give the same interval; every variant of a model uses the same resamples.
     */
    public static double[] bootstrap95(int n, Statistic statistic) {
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        Random rnd = new Random(BOOTSTRAP_SEED);
        double[] values = new double[BOOTSTRAP_RESAMPLES];
        int[] idx = new int[n];
        for (int r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
            for (int i = 0; i < n; i++) {
                idx[i] = rnd.nextInt(n);
            }
            values[r] = statistic.on(idx);
        }
        Arrays.sort(values);
        return new double[] {values[(int) Math.floor(0.025 * (BOOTSTRAP_RESAMPLES - 1))],
                values[(int) Math.ceil(0.975 * (BOOTSTRAP_RESAMPLES - 1))]};
    }

    /** Mean of a per-sample quantity over the given indices. */
    public static <T> double mean(List<T> items, int[] indices, ToDoubleFunction<T> f) {
        double s = 0;
        for (int i : indices) {
            s += f.applyAsDouble(items.get(i));
        }
        return indices.length == 0 ? Double.NaN : s / indices.length;
    }

    /** 0, 1, ..., n - 1. */
    public static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }
}
