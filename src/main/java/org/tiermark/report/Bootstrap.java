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
 * every A/A comparison would look significant. A measurement with one unit (the studies' CSVs,
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
        Resampler ra = resampler(a.iterations(), a.samples(), seed);
        Resampler rb = resampler(b.iterations(), b.samples(), seed * 31 + 7);
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

    private static Resampler resampler(List<Samples> iterations, Samples all, long seed) {
        if (iterations.size() >= 2) {
            return new IterationResampler(iterations, all, seed);
        }
        return new OrderStatisticResampler(all, seed);
    }

    /** Resamples whole iterations with replacement and takes the median of their pooled observations. */
    private static final class IterationResampler implements Resampler {
        private final int[][] index;
        private final long[][] count;
        private final Samples grid;
        private final long[] pooled;
        private final SplittableRandom random;

        IterationResampler(List<Samples> iterations, Samples all, long seed) {
            grid = all;
            double[] values = new double[all.distinct()];
            for (int i = 0; i < values.length; i++) {
                values[i] = all.value(i);
            }
            index = new int[iterations.size()][];
            count = new long[iterations.size()][];
            for (int it = 0; it < iterations.size(); it++) {
                Samples s = iterations.get(it);
                index[it] = new int[s.distinct()];
                count[it] = new long[s.distinct()];
                for (int i = 0; i < s.distinct(); i++) {
                    index[it][i] = Arrays.binarySearch(values, s.value(i));
                    count[it][i] = s.count(i);
                }
            }
            pooled = new long[values.length];
            random = new SplittableRandom(seed);
        }

        @Override
        public double next() {
            Arrays.fill(pooled, 0);
            long n = 0;
            for (int k = 0; k < index.length; k++) {
                int it = random.nextInt(index.length);
                for (int i = 0; i < index[it].length; i++) {
                    pooled[index[it][i]] += count[it][i];
                }
                n += sum(count[it]);
            }
            return median(pooled, n);
        }

        private static long sum(long[] c) {
            long s = 0;
            for (long x : c) {
                s += x;
            }
            return s;
        }

        private double median(long[] counts, long n) {
            double h = (n - 1) * 0.5;
            long lo = (long) Math.floor(h);
            double a = Double.NaN;
            double b = Double.NaN;
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (Double.isNaN(a) && seen > lo) {
                    a = grid.value(i);
                }
                if (seen > lo + 1 || (seen > lo && lo + 1 >= n)) {
                    b = grid.value(i);
                    break;
                }
            }
            return a + (h - lo) * (b - a);
        }

        @Override
        public String unit() {
            return "iterations";
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
