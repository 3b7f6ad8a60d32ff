package org.tiermark.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.special.Gamma;

/**
 * The studies' statistics, computed the way SciPy 1.11 and scikit-posthocs 0.9 compute them:
 * {@code scipy.stats.kruskal} (tie-corrected), {@code scikit_posthocs.posthoc_conover} (p_adjust none
 * or holm), {@code scipy.stats.mannwhitneyu} (two-sided, method auto, continuity correction),
 * {@code scipy.stats.wilcoxon} (zero_method wilcox, correction False, method auto) and Cliff's delta
 * with Romano et al.'s magnitude labels. Distribution tails come from commons-math's regularized
 * gamma and beta functions, evaluated directly so that tiny p-values keep their digits.
 */
public final class Stats {
    /**
     * Fewest samples per cell for a test or an effect size: below about 30 the rank tests' normal
     * approximations (Kruskal-Wallis, Mann-Whitney, Conover) do not hold and one slow iteration moves
     * Cliff's delta from negligible to large; the studies had 500 per cell.
     */
    public static final int MIN_SAMPLES_FOR_TEST = 30;

    private Stats() {}

    /** Why no test is run on cells of these sizes, or null when each has enough samples. */
    public static String tooFewSamples(long... sizes) {
        long min = Long.MAX_VALUE;
        for (long n : sizes) {
            min = Math.min(min, n);
        }
        return min < MIN_SAMPLES_FOR_TEST ? "not tested: " + min + " samples (fewer than " + MIN_SAMPLES_FOR_TEST + ")" : null;
    }

    /** Kruskal-Wallis H test; also carries the rank sums Conover's post-hoc test builds on. */
    public record Kruskal(double h, int df, double p, long n, double[] rankMeans, long[] sizes,
                          double tieCorrection, double sumSquaredRanks) {}

    /** Mann-Whitney U test; {@code u} is the statistic of the first sample, as SciPy returns it. */
    public record MannWhitney(double u, double p, String method) {}

    /** Wilcoxon signed-rank test; {@code statistic} is min(R+, R-), as SciPy returns it for two-sided. */
    public record Wilcoxon(double statistic, double p, int n, String method) {}

    /** Cliff's delta of x against y: positive when x tends to be larger. */
    public record CliffsDelta(double delta, String magnitude) {}

    /** Upper tail of the chi-squared distribution. */
    public static double chiSquaredSf(double x, int df) {
        return x <= 0 ? 1.0 : Gamma.regularizedGammaQ(df / 2.0, x / 2.0);
    }

    /** Upper tail of Student's t distribution. */
    public static double tSf(double t, double df) {
        double tail = 0.5 * Beta.regularizedBeta(df / (df + t * t), df / 2.0, 0.5);
        return t >= 0 ? tail : 1.0 - tail;
    }

    /** Upper tail of the standard normal distribution. */
    public static double normalSf(double z) {
        return 0.5 * Erf.erfc(z / Math.sqrt(2.0));
    }

    /** Pooled mid-ranks of several samples, aggregated per group. */
    private record Ranks(double[] rankSums, long[] sizes, long n, double tieSum, double sumSquaredRanks) {}

    private static Ranks rank(List<Samples> groups) {
        // every group is sorted already: merge them instead of sorting the pool
        int k = groups.size();
        int[] at = new int[k];
        double[] rankSums = new double[k];
        long[] sizes = new long[k];
        long[] tie = new long[k];
        long before = 0;
        double tieSum = 0;
        double sumSq = 0;
        while (true) {
            double min = Double.POSITIVE_INFINITY;
            boolean any = false;
            for (int g = 0; g < k; g++) {
                Samples s = groups.get(g);
                if (at[g] < s.distinct() && (!any || s.value(at[g]) < min)) {
                    min = s.value(at[g]);
                    any = true;
                }
            }
            if (!any) {
                break;
            }
            long t = 0;
            for (int g = 0; g < k; g++) {
                Samples s = groups.get(g);
                tie[g] = at[g] < s.distinct() && s.value(at[g]) == min ? s.count(at[g]++) : 0;
                t += tie[g];
            }
            double mid = before + (t + 1) / 2.0;
            for (int g = 0; g < k; g++) {
                rankSums[g] += tie[g] * mid;
                sizes[g] += tie[g];
            }
            double td = t;
            tieSum += td * td * td - td;
            sumSq += td * mid * mid;
            before += t;
        }
        return new Ranks(rankSums, sizes, before, tieSum, sumSq);
    }

    /** {@code scipy.stats.kruskal}: H corrected for ties, p from chi-squared with k-1 degrees of freedom. */
    public static Kruskal kruskal(List<Samples> groups) {
        if (groups.size() < 2 || groups.stream().anyMatch(Samples::isEmpty)) {
            throw new IllegalArgumentException("Kruskal-Wallis needs at least two non-empty groups");
        }
        Ranks r = rank(groups);
        double n = r.n;
        double s = 0;
        double[] means = new double[groups.size()];
        for (int i = 0; i < groups.size(); i++) {
            s += r.rankSums[i] * r.rankSums[i] / r.sizes[i];
            means[i] = r.rankSums[i] / r.sizes[i];
        }
        double h = 12.0 / (n * (n + 1)) * s - 3 * (n + 1);
        double ties = 1 - r.tieSum / (n * n * n - n);
        h = ties == 0 ? Double.NaN : h / ties;
        int df = groups.size() - 1;
        return new Kruskal(h, df, Double.isNaN(h) ? Double.NaN : chiSquaredSf(h, df), r.n, means, r.sizes,
                ties, r.sumSquaredRanks);
    }

    /**
     * {@code scikit_posthocs.posthoc_conover(..., p_adjust=holm ? 'holm' : None)}: matrix of two-sided
     * p-values (1 on the diagonal) of Conover's test on the pooled ranks.
     */
    public static double[][] conover(List<Samples> groups, boolean holm) {
        return conover(kruskal(groups), holm);
    }

    /** Conover's test from an already computed Kruskal-Wallis test of the same groups. */
    public static double[][] conover(Kruskal kw, boolean holm) {
        int k = kw.sizes().length;
        double n = kw.n();
        double x_ties = Math.min(1.0, kw.tieCorrection());
        double hCor = kw.h();
        double s2 = x_ties == 1.0 ? n * (n + 1) / 12.0
                : (1.0 / (n - 1)) * (kw.sumSquaredRanks() - n * ((n + 1) * (n + 1) / 4.0));
        double d = (n - 1 - hCor) / (n - k);
        double[][] p = new double[k][k];
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            p[i][i] = 1.0;
            for (int j = i + 1; j < k; j++) {
                double diff = Math.abs(kw.rankMeans()[i] - kw.rankMeans()[j]);
                double b = 1.0 / kw.sizes()[i] + 1.0 / kw.sizes()[j];
                double t = diff / Math.sqrt(s2 * b * d);
                p[i][j] = p[j][i] = Math.min(1.0, 2 * tSf(Math.abs(t), n - k));
                pairs.add(new int[] {i, j});
            }
        }
        if (holm) {
            double[] raw = pairs.stream().mapToDouble(ij -> p[ij[0]][ij[1]]).toArray();
            double[] adj = holm(raw);
            for (int q = 0; q < pairs.size(); q++) {
                int[] ij = pairs.get(q);
                p[ij[0]][ij[1]] = p[ij[1]][ij[0]] = adj[q];
            }
        }
        return p;
    }

    /** Holm's step-down adjustment ({@code statsmodels multipletests(method='holm')}). */
    public static double[] holm(double[] p) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] out = new double[m];
        double running = 0;
        for (int r = 0; r < m; r++) {
            double adj = Math.min(1.0, (m - r) * p[order[r]]);
            running = Math.max(running, adj);
            out[order[r]] = running;
        }
        return out;
    }

    /** {@code scipy.stats.mannwhitneyu(x, y)}: two-sided, exact when a sample has at most 8 values and there are no ties, else normal approximation with tie and continuity correction. */
    public static MannWhitney mannWhitney(Samples x, Samples y) {
        if (x.isEmpty() || y.isEmpty()) {
            throw new IllegalArgumentException("Mann-Whitney U needs two non-empty samples");
        }
        Ranks r = rank(List.of(x, y));
        double n1 = r.sizes[0];
        double n2 = r.sizes[1];
        double u1 = r.rankSums[0] - n1 * (n1 + 1) / 2;
        double u2 = n1 * n2 - u1;
        double u = Math.max(u1, u2);
        if ((n1 <= 8 || n2 <= 8) && r.tieSum == 0) {
            return new MannWhitney(u1, Math.min(1.0, 2 * exactUUpperTail((int) n1, (int) n2, u)), "exact");
        }
        double n = n1 + n2;
        double s = Math.sqrt(n1 * n2 / 12 * ((n + 1) - r.tieSum / (n * (n - 1))));
        double z = (u - n1 * n2 / 2 - 0.5) / s;
        return new MannWhitney(u1, Math.min(1.0, 2 * normalSf(z)), "asymptotic");
    }

    /** P(U >= u) under H0, from the Gaussian binomial coefficient whose coefficients count the arrangements. */
    private static double exactUUpperTail(int n1, int n2, double u) {
        int m = Math.min(n1, n2);
        int n = Math.max(n1, n2);
        int deg = m * n;
        double[] poly = new double[deg + 1];
        poly[0] = 1;
        for (int i = 1; i <= m; i++) {
            int up = n + i;
            for (int d = deg; d >= up; d--) {
                poly[d] -= poly[d - up];
            }
            for (int d = i; d <= deg; d++) {
                poly[d] += poly[d - i];
            }
        }
        double total = 0;
        double tail = 0;
        for (int d = 0; d <= deg; d++) {
            total += poly[d];
            if (d >= u - 1e-9) {
                tail += poly[d];
            }
        }
        return tail / total;
    }

    /** Cliff's delta from the U statistic: (#(x&gt;y) - #(x&lt;y)) / (n1 n2), magnitudes after Romano et al. (2006). */
    public static CliffsDelta cliffsDelta(Samples x, Samples y) {
        Ranks r = rank(List.of(x, y));
        double n1 = r.sizes[0];
        double n2 = r.sizes[1];
        double u1 = r.rankSums[0] - n1 * (n1 + 1) / 2;
        double d = (2 * u1 - n1 * n2) / (n1 * n2);
        return new CliffsDelta(d, magnitude(d));
    }

    /** negligible &lt; 0.147 &lt;= small &lt; 0.33 &lt;= medium &lt; 0.474 &lt;= large. */
    public static String magnitude(double delta) {
        double a = Math.abs(delta);
        return a < 0.147 ? "negligible" : a < 0.33 ? "small" : a < 0.474 ? "medium" : "large";
    }

    /** {@code scipy.stats.wilcoxon(x, y)} on paired samples: zeros dropped, exact for n &lt;= 50 without ties, else normal approximation with tie correction and no continuity correction. */
    public static Wilcoxon wilcoxon(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("Wilcoxon signed-rank needs paired samples of equal length (" + x.length + " vs " + y.length + ")");
        }
        double[] d = new double[x.length];
        int nz = 0;
        for (int i = 0; i < x.length; i++) {
            double di = x[i] - y[i];
            if (di != 0) {
                d[nz++] = di;
            }
        }
        int zeros = x.length - nz;
        d = Arrays.copyOf(d, nz);
        if (nz == 0) {
            return new Wilcoxon(0, Double.NaN, 0, "none: all differences are zero");
        }
        double[] abs = new double[nz];
        for (int i = 0; i < nz; i++) {
            abs[i] = Math.abs(d[i]);
        }
        Integer[] order = new Integer[nz];
        for (int i = 0; i < nz; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> abs[i]));
        double[] rank = new double[nz];
        double tieTerm = 0;
        boolean ties = false;
        for (int a = 0; a < nz; ) {
            int b = a;
            while (b < nz && abs[order[b]] == abs[order[a]]) {
                b++;
            }
            double t = b - a;
            ties |= t > 1;
            tieTerm += t * (t * t - 1);
            for (int j = a; j < b; j++) {
                rank[order[j]] = (a + b + 1) / 2.0;
            }
            a = b;
        }
        double plus = 0;
        double minus = 0;
        for (int i = 0; i < nz; i++) {
            if (d[i] > 0) {
                plus += rank[i];
            } else {
                minus += rank[i];
            }
        }
        double t = Math.min(plus, minus);
        if (nz <= 50 && !ties && zeros == 0) {
            return new Wilcoxon(t, Math.min(1.0, 2 * exactSignedRankCdf(nz, t)), nz, "exact");
        }
        double n = nz;
        double mean = n * (n + 1) / 4;
        double se = Math.sqrt((n * (n + 1) * (2 * n + 1) - 0.5 * tieTerm) / 24);
        double z = (t - mean) / se;
        return new Wilcoxon(t, Math.min(1.0, 2 * normalSf(Math.abs(z))), nz, "approx");
    }

    /** P(T+ &lt;= t) for n untied ranks: subset-sum counts of 1..n over 2^n. */
    private static double exactSignedRankCdf(int n, double t) {
        int max = n * (n + 1) / 2;
        double[] count = new double[max + 1];
        count[0] = 1;
        for (int r = 1; r <= n; r++) {
            for (int s = max; s >= r; s--) {
                count[s] += count[s - r];
            }
        }
        double below = 0;
        for (int s = 0; s <= max && s <= t + 1e-9; s++) {
            below += count[s];
        }
        return below / Math.pow(2, n);
    }
}
