package org.tiermark.report;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * Bootstrap confidence interval of a ratio of medians (measurement A over measurement B).
 *
 * <p>JMH samples within one iteration are not independent (the JIT, GC and the neighbours on a
 * shared machine move whole iterations), so when a measurement has several iterations the
 * iterations are what is resampled: an interval from raw samples would be far too narrow and
 * every A/A comparison would look significant. Iterations of one fork are not independent either
 * (each fork has its own JIT decisions, memory layout and thread placement), so with two or more
 * forks the resampling is two-stage: forks with replacement, then iterations within each drawn fork
 * (a cluster bootstrap). One fork cannot show fork-to-fork variation at all, whatever is resampled. A measurement with one unit (the studies' CSVs,
 * where each request is independent) is resampled by observation; its bootstrap median is drawn
 * exactly as the order statistic at a Beta(k, n-k+1) quantile, which needs no resampling loop over
 * millions of values.
 */
public final class Bootstrap {
    /** Point estimate and interval. */
    public record Interval(double estimate, double low, double high, double level, int replicates, String unit) {
        public boolean above(double x) {
            return low > x;
        }

        public boolean below(double x) {
            return high < x;
        }
    }

    private Bootstrap() {}

    /** Interval for median(a) / median(b) at {@code level} (e.g. 0.95), {@code replicates} resamples, seeded. */
    public static Interval ratioOfMedians(Measurement a, Measurement b, double level, int replicates, long seed) {
        Resampler ra = resampler(a, seed);
        Resampler rb = resampler(b, seed * 31 + 7);
        double[] ratios = new double[replicates];
        for (int i = 0; i < replicates; i++) {
            ratios[i] = ra.next() / rb.next();
        }
        Arrays.sort(ratios);
        double alpha = (1 - level) / 2;
        double est = a.samples().median() / b.samples().median();
        String unit = ra.unit() + " / " + rb.unit();
        return new Interval(est, percentile(ratios, alpha), percentile(ratios, 1 - alpha), level, replicates, unit);
    }

    /**
     * Interval for sum(a) / sum(b) where {@code a[i]} and {@code b[i]} were measured in the same iteration
     * (paired counters): iterations are resampled together, forks first when {@code forks} has two or more.
     */
    public static Interval ratioOfPairedSums(List<Double> a, List<Double> b, List<Integer> forks, double level,
                                             int replicates, long seed) {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException("paired sums need the same, non-zero number of iterations (" + a.size()
                    + " vs " + b.size() + ")");
        }
        List<Integer> clusters = forks.size() >= 2 ? forks : List.of(a.size());
        int[] start = new int[clusters.size() + 1];
        for (int f = 0; f < clusters.size(); f++) {
            start[f + 1] = start[f] + clusters.get(f);
        }
        if (start[clusters.size()] != a.size()) {
            throw new IllegalArgumentException("forks " + forks + " do not add up to " + a.size() + " iterations");
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] ratios = new double[replicates];
        for (int r = 0; r < replicates; r++) {
            double sa = 0;
            double sb = 0;
            for (int k = 0; k < clusters.size(); k++) {
                int f = clusters.size() == 1 ? 0 : random.nextInt(clusters.size());
                int size = start[f + 1] - start[f];
                for (int j = 0; j < size; j++) {
                    int i = start[f] + random.nextInt(size);
                    sa += a.get(i);
                    sb += b.get(i);
                }
            }
            ratios[r] = sa / sb;
        }
        Arrays.sort(ratios);
        double alpha = (1 - level) / 2;
        double est = a.stream().mapToDouble(Double::doubleValue).sum() / b.stream().mapToDouble(Double::doubleValue).sum();
        return new Interval(est, percentile(ratios, alpha), percentile(ratios, 1 - alpha), level, replicates,
                clusters.size() >= 2 ? "forks>iterations (paired)" : "iterations (paired)");
    }

    private static double percentile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private interface Resampler {
        double next();

        String unit();
    }

    private static Resampler resampler(Measurement m, long seed) {
        List<Samples> iterations = m.iterations();
        Samples all = m.samples();
        // the cumulative tables cost iterations x distinct values; beyond that, observations it is
        if (iterations.size() >= 2 && (long) iterations.size() * all.distinct() <= 20_000_000L) {
            return new IterationResampler(iterations, m.forks().size() >= 2 ? m.forks() : List.of(iterations.size()), all, seed);
        }
        return new OrderStatisticResampler(all, seed);
    }

    /**
     * Resamples whole iterations with replacement (forks first when there are several, then the
     * iterations of each drawn fork) and takes the median of their pooled observations. Each
     * iteration keeps its cumulative counts on the pooled grid of values, so the pooled distribution
     * function of a resample at any value is a sum over the drawn iterations, and its median a binary
     * search: O(iterations x log values) per replicate.
     */
    private static final class IterationResampler implements Resampler {
        private final long[][] cumulative;
        private final long[] sizes;
        private final Samples grid;
        /** first iteration index of each fork, and one past the last */
        private final int[] forkStart;
        private final int[] drawn;
        private int drawnCount;
        private final SplittableRandom random;

        IterationResampler(List<Samples> iterations, List<Integer> forks, Samples all, long seed) {
            grid = all;
            double[] values = new double[all.distinct()];
            for (int i = 0; i < values.length; i++) {
                values[i] = all.value(i);
            }
            cumulative = new long[iterations.size()][];
            sizes = new long[iterations.size()];
            for (int it = 0; it < iterations.size(); it++) {
                Samples s = iterations.get(it);
                long[] c = new long[values.length];
                for (int i = 0; i < s.distinct(); i++) {
                    c[Arrays.binarySearch(values, s.value(i))] += s.count(i);
                }
                for (int g = 1; g < c.length; g++) {
                    c[g] += c[g - 1];
                }
                cumulative[it] = c;
                sizes[it] = s.size();
            }
            forkStart = new int[forks.size() + 1];
            int longest = 0;
            for (int f = 0; f < forks.size(); f++) {
                forkStart[f + 1] = forkStart[f] + forks.get(f);
                longest = Math.max(longest, forks.get(f));
            }
            drawn = new int[forks.size() * longest];
            random = new SplittableRandom(seed);
        }

        @Override
        public double next() {
            long n = 0;
            drawnCount = 0;
            int forkCount = forkStart.length - 1;
            for (int k = 0; k < forkCount; k++) {
                int f = forkCount == 1 ? 0 : random.nextInt(forkCount);
                int from = forkStart[f];
                int size = forkStart[f + 1] - from;
                for (int j = 0; j < size; j++) {
                    int it = from + random.nextInt(size);
                    drawn[drawnCount++] = it;
                    n += sizes[it];
                }
            }
            if (n == 0) {
                return Double.NaN;
            }
            double h = (n - 1) * 0.5;
            long lo = (long) Math.floor(h);
            double a = kth(lo);
            double b = lo + 1 < n ? kth(lo + 1) : a;
            return a + (h - lo) * (b - a);
        }

        /** The k-th smallest (0-based) pooled observation of the drawn iterations. */
        private double kth(long k) {
            int lo = 0;
            int hi = grid.distinct() - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                long below = 0;
                for (int d = 0; d < drawnCount; d++) {
                    below += cumulative[drawn[d]][mid];
                }
                if (below > k) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return grid.value(lo);
        }

        @Override
        public String unit() {
            return forkStart.length > 2 ? "forks>iterations" : "iterations";
        }
    }

    /** The median of n draws from the empirical distribution is its quantile at a Beta(k, n-k+1) variate. */
    private static final class OrderStatisticResampler implements Resampler {
        private final Samples samples;
        private final BetaDistribution order;

        OrderStatisticResampler(Samples samples, long seed) {
            this.samples = samples;
            long n = samples.size();
            long k = (n + 1) / 2;
            this.order = new BetaDistribution(new Well19937c(seed), k, n - k + 1.0);
        }

        @Override
        public double next() {
            double u = order.sample();
            long k = Math.min(samples.size() - 1, (long) Math.floor(u * samples.size()));
            return samples.kth(k);
        }

        @Override
        public String unit() {
            return "observations";
        }
    }
}
