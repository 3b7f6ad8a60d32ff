package org.tiermark.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * A sample of measured values kept as sorted distinct values with counts: JMH's sample-time
 * histograms hold millions of observations over a few thousand distinct values, and every
 * statistic here (quantiles, ranks, ties) works on that form without expanding it.
 */
public final class Samples {
    private final double[] values;
    private final long[] counts;
    private final long[] cumulative;
    private final long n;

    private Samples(double[] values, long[] counts) {
        this.values = values;
        this.counts = counts;
        this.cumulative = new long[counts.length];
        long c = 0;
        for (int i = 0; i < counts.length; i++) {
            c += counts[i];
            cumulative[i] = c;
        }
        this.n = c;
    }

    /** From (value, count) pairs in any order; equal values are merged, non-finite values and zero counts dropped. */
    public static Samples weighted(double[] values, long[] counts) {
        if (values.length != counts.length) {
            throw new IllegalArgumentException("values and counts differ in length");
        }
        // JMH writes histograms in ascending order: take them as they are
        boolean clean = true;
        for (int i = 0; i < values.length && clean; i++) {
            clean = counts[i] > 0 && Double.isFinite(values[i]) && values[i] != 0.0 && (i == 0 || values[i] > values[i - 1]);
        }
        if (clean) {
            return new Samples(values.clone(), counts.clone());
        }
        TreeMap<Double, Long> m = new TreeMap<>();
        for (int i = 0; i < values.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("negative count " + counts[i]);
            }
            if (counts[i] > 0 && Double.isFinite(values[i])) {
                m.merge(values[i] == 0.0 ? 0.0 : values[i], counts[i], Long::sum);
            }
        }
        double[] v = new double[m.size()];
        long[] c = new long[m.size()];
        int i = 0;
        for (var e : m.entrySet()) {
            v[i] = e.getKey();
            c[i++] = e.getValue();
        }
        return new Samples(v, c);
    }

    /** Each value once. */
    public static Samples of(double... values) {
        double[] v = values.clone();
        Arrays.sort(v);
        List<Double> dv = new ArrayList<>();
        List<Long> dc = new ArrayList<>();
        for (double x : v) {
            if (!Double.isFinite(x)) {
                continue;
            }
            if (!dv.isEmpty() && dv.get(dv.size() - 1) == x) {
                dc.set(dc.size() - 1, dc.get(dc.size() - 1) + 1);
            } else {
                dv.add(x == 0.0 ? 0.0 : x);
                dc.add(1L);
            }
        }
        return new Samples(dv.stream().mapToDouble(Double::doubleValue).toArray(),
                dc.stream().mapToLong(Long::longValue).toArray());
    }

    /** All observations of several samples together (a k-way merge of their sorted values). */
    public static Samples pooled(List<Samples> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int size = parts.stream().mapToInt(p -> p.values.length).sum();
        double[] v = new double[size];
        long[] c = new long[size];
        int[] at = new int[parts.size()];
        int n = 0;
        while (true) {
            int best = -1;
            double min = Double.POSITIVE_INFINITY;
            for (int k = 0; k < parts.size(); k++) {
                Samples p = parts.get(k);
                if (at[k] < p.values.length && (best < 0 || p.values[at[k]] < min)) {
                    best = k;
                    min = p.values[at[k]];
                }
            }
            if (best < 0) {
                break;
            }
            long cnt = parts.get(best).counts[at[best]++];
            if (n > 0 && v[n - 1] == min) {
                c[n - 1] += cnt;
            } else {
                v[n] = min;
                c[n++] = cnt;
            }
        }
        return new Samples(Arrays.copyOf(v, n), Arrays.copyOf(c, n));
    }

    /** Every value multiplied by {@code factor} (unit changes, injected slowdowns). */
    public Samples scaled(double factor) {
        double[] v = values.clone();
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return factor > 0 ? new Samples(v, counts.clone()) : weighted(v, counts.clone());
    }

    public long size() {
        return n;
    }

    public boolean isEmpty() {
        return n == 0;
    }

    /** Number of distinct values. */
    public int distinct() {
        return values.length;
    }

    public double value(int i) {
        return values[i];
    }

    public long count(int i) {
        return counts[i];
    }

    /** The k-th smallest observation, 0-based. */
    public double kth(long k) {
        if (k < 0 || k >= n) {
            throw new IndexOutOfBoundsException("k=" + k + " of " + n);
        }
        int i = Arrays.binarySearch(cumulative, k + 1);
        if (i < 0) {
            i = -i - 1;
        }
        return values[i];
    }

    /**
     * Quantile with linear interpolation between order statistics (numpy's default, R type 7),
     * so a median of an even count is the mean of the two middle values, as the studies computed it.
     */
    public double quantile(double p) {
        if (n == 0) {
            return Double.NaN;
        }
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("quantile " + p + " outside [0, 1]");
        }
        double h = (n - 1) * p;
        long lo = (long) Math.floor(h);
        double a = kth(lo);
        if (lo + 1 >= n) {
            return a;
        }
        double b = kth(lo + 1);
        return a + (h - lo) * (b - a);
    }

    public double median() {
        return quantile(0.5);
    }

    public double min() {
        return n == 0 ? Double.NaN : values[0];
    }

    public double max() {
        return n == 0 ? Double.NaN : values[values.length - 1];
    }

    public double mean() {
        double s = 0;
        for (int i = 0; i < values.length; i++) {
            s += values[i] * counts[i];
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** The observations expanded, at most {@code limit} of them evenly spread over the ranks (for plots). */
    public double[] expanded(int limit) {
        int m = (int) Math.min(n, limit);
        double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            long k = m == n ? i : Math.round((double) i * (n - 1) / Math.max(1, m - 1));
            out[i] = kth(k);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Samples[n=" + n + ", distinct=" + values.length + ", median=" + median() + "]";
    }
}
