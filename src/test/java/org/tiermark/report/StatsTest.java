package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tiermark.Json;

/**
 * The statistics against values obtained without this code:
 * <ul>
 * <li>numbers printed in SciPy's documentation examples (quoted below with the call that made them);
 * <li>exact p-values counted by brute-force enumeration in Python (itertools.combinations over all
 *     rank assignments), quoted below;
 * <li>{@code src/test/resources/reference/stats-reference.json}, written by
 *     {@code stats_reference.py}: a plain-Python re-implementation of the SciPy 1.11 /
 *     scikit-posthocs 0.9 formulas with its own incomplete gamma/beta functions, which checks itself
 *     against closed forms and SciPy's documented values before writing; it includes the studies' CSVs.
 * </ul>
 * Agreement is required to 4 significant digits (relative 5e-5) or better.
 */
class StatsTest {
    private static JsonNode reference;
    private static Map<String, Map<String, Samples>> paper;

    @BeforeAll
    static void load() throws Exception {
        reference = Json.MAPPER.readTree(Files.readString(Path.of("src/test/resources/reference/stats-reference.json")));
        paper = PaperData.cells();
    }

    static void close(double expected, double actual, String what) {
        if (Math.abs(expected) < 1e-290) {
            // below the normal double range (p-values of 500-sample cells) digits are lost to denormals in both codes
            assertEquals(0.0, actual, 1e-290, what);
            return;
        }
        assertEquals(expected, actual, Math.abs(expected) * 5e-5, what);
    }

    @Test
    void kruskalMatchesScipyDocumentation() {
        // scipy.stats.kruskal([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]) -> statistic=0.2727272727272734, pvalue=0.6015081344405895
        Stats.Kruskal k = Stats.kruskal(List.of(Samples.of(1, 3, 5, 7, 9), Samples.of(2, 4, 6, 8, 10)));
        close(0.2727272727272734, k.h(), "H");
        close(0.6015081344405895, k.p(), "p");
        // scipy.stats.kruskal([1, 1, 1], [2, 2, 2], [2, 2]) -> statistic=7.0, pvalue=0.0301973834223185
        k = Stats.kruskal(List.of(Samples.of(1, 1, 1), Samples.of(2, 2, 2), Samples.of(2, 2)));
        close(7.0, k.h(), "H tied");
        close(0.0301973834223185, k.p(), "p tied");
    }

    @Test
    void mannWhitneyMatchesScipyDocumentationAndEnumeration() {
        // scipy.stats.mannwhitneyu([19, 22, 16, 29, 24], [20, 11, 17, 12]) -> statistic=17.0, pvalue=0.1111111111111111 (exact)
        // (enumeration of the 126 rank sets gives 2 * 7/126 = 0.1111...)
        Stats.MannWhitney m = Stats.mannWhitney(Samples.of(19, 22, 16, 29, 24), Samples.of(20, 11, 17, 12));
        assertEquals("exact", m.method());
        close(17.0, m.u(), "U");
        close(0.1111111111111111, m.p(), "p exact");
        // enumeration: [2.9, 3.0, 2.5, 2.6, 3.2] vs [3.8, 2.7, 4.0, 2.4] -> U1 = 8, p = 0.7301587301587301
        m = Stats.mannWhitney(Samples.of(2.9, 3.0, 2.5, 2.6, 3.2), Samples.of(3.8, 2.7, 4.0, 2.4));
        close(8.0, m.u(), "U small");
        close(0.7301587301587301, m.p(), "p small exact");
    }

    @Test
    void wilcoxonMatchesScipyDocumentation() {
        double[] d = {6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75};
        double[] zero = new double[d.length];
        // scipy.stats.wilcoxon(d) -> statistic=24.0, pvalue=0.041259765625 (exact; 676 of the 2^15 sign sets have T <= 24)
        Stats.Wilcoxon w = Stats.wilcoxon(d, zero);
        assertEquals("exact", w.method());
        close(24.0, w.statistic(), "T");
        close(0.041259765625, w.p(), "p exact");
    }

    @Test
    void conoverMatchesScikitPosthocsDocumentation() {
        // scikit_posthocs.posthoc_conover([[1,2,3,5,1], [12,31,54,np.nan], [10,12,6,74,11]], p_adjust='holm')
        // -> [[-1, 0.00119517, 0.00278329], [0.00119517, -1, 0.18672227], [0.00278329, 0.18672227, -1]]
        double[][] p = Stats.conover(List.of(Samples.of(1, 2, 3, 5, 1), Samples.of(12, 31, 54), Samples.of(10, 12, 6, 74, 11)), true);
        assertEquals(0.00119517, p[0][1], 5e-9);
        assertEquals(0.00278329, p[0][2], 5e-9);
        assertEquals(0.18672227, p[1][2], 5e-9);
    }

    @Test
    void holmAdjustment() {
        // by hand: sorted 0.01, 0.02, 0.04 -> 3*0.01=0.03, 2*0.02=0.04, 1*0.04=0.04 (running max)
        assertArrayEquals(new double[] {0.04, 0.03, 0.04}, Stats.holm(new double[] {0.04, 0.01, 0.02}), 1e-12);
        // capped at 1 and kept monotone
        assertArrayEquals(new double[] {1.0, 1.0}, Stats.holm(new double[] {0.6, 0.9}), 1e-12);
    }

    @Test
    void cliffsDeltaByHand() {
        // x = {1, 2, 3}, y = {2, 4}: pairs x>y: (3,2) = 1; x<y: (1,2),(1,4),(2,4),(3,4) = 4; ties (2,2) -> (1-4)/6 = -0.5
        Stats.CliffsDelta c = Stats.cliffsDelta(Samples.of(1, 2, 3), Samples.of(2, 4));
        close(-0.5, c.delta(), "delta");
        assertEquals("large", c.magnitude());
        assertEquals("negligible", Stats.magnitude(0.1));
        assertEquals("small", Stats.magnitude(-0.2));
        assertEquals("medium", Stats.magnitude(0.4));
    }

    @Test
    void weightedSamplesGiveTheSameRanksAsExpandedOnes() {
        Samples expanded = Samples.of(1, 1, 1, 2, 5, 5, 7);
        Samples weighted = Samples.weighted(new double[] {5, 1, 7, 2}, new long[] {2, 3, 1, 1});
        Samples other = Samples.of(0.5, 2, 6, 6, 8);
        assertEquals(Stats.kruskal(List.of(expanded, other)).h(), Stats.kruskal(List.of(weighted, other)).h(), 1e-12);
        assertEquals(Stats.mannWhitney(expanded, other).p(), Stats.mannWhitney(weighted, other).p(), 1e-15);
        assertEquals(expanded.median(), weighted.median());
        assertEquals(expanded.quantile(0.9), weighted.quantile(0.9), 1e-12);
    }

    @Test
    void quantilesInterpolateLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4], [50, 90, 25]) -> 2.5, 3.7, 1.75
        Samples s = Samples.of(4, 1, 3, 2);
        close(2.5, s.median(), "median");
        close(3.7, s.quantile(0.9), "p90");
        close(1.75, s.quantile(0.25), "q1");
    }

    @Test
    void everyReferenceCase() {
        int checked = 0;
        for (JsonNode c : reference.get("cases")) {
            String name = c.get("name").asText();
            switch (c.get("kind").asText()) {
                case "kruskal+conover" -> {
                    List<Samples> groups = groups(c, name);
                    Stats.Kruskal k = Stats.kruskal(groups);
                    close(c.get("h").asDouble(), k.h(), name + " H");
                    close(c.get("p").asDouble(), k.p(), name + " p");
                    matrix(c.get("conover"), Stats.conover(groups, false), name + " conover");
                    matrix(c.get("conoverHolm"), Stats.conover(groups, true), name + " conover holm");
                }
                case "mannwhitney+cliffs" -> {
                    Samples[] xy = pair(c, name);
                    Stats.MannWhitney m = Stats.mannWhitney(xy[0], xy[1]);
                    close(c.get("u").asDouble(), m.u(), name + " U");
                    if (m.method().equals("asymptotic")) {
                        close(c.get("p").asDouble(), m.p(), name + " p");
                    }
                    close(c.get("cliffsDelta").asDouble(), Stats.cliffsDelta(xy[0], xy[1]).delta(), name + " delta");
                }
                case "wilcoxon" -> {
                    Stats.Wilcoxon w = Stats.wilcoxon(doubles(c.get("x")), doubles(c.get("y")));
                    close(c.get("statistic").asDouble(), w.statistic(), name + " T");
                    close(c.get("p").asDouble(), w.p(), name + " p");
                    assertEquals(c.get("n").asInt(), w.n(), name + " n");
                }
                default -> throw new AssertionError("unknown case kind in " + name);
            }
            checked++;
        }
        assertEquals(11, checked);
    }

    private static void matrix(JsonNode expected, double[][] actual, String what) {
        for (int i = 0; i < actual.length; i++) {
            for (int j = 0; j < actual.length; j++) {
                close(expected.get(i).get(j).asDouble(), actual[i][j], what + " [" + i + "][" + j + "]");
            }
        }
    }

    private static List<Samples> groups(JsonNode c, String name) {
        if (c.hasNonNull("groups")) {
            List<Samples> out = new ArrayList<>();
            c.get("groups").forEach(g -> out.add(Samples.of(doubles(g))));
            return out;
        }
        List<String> ops = List.of("identity", "sptq", "qat", "prune", "distill", "distill+sptq");
        return switch (name) {
            case "whitebox ResNet Edge by operator" -> ops.stream().map(o -> paper.get("whitebox-latency").get("ResNet|" + o + "|edge")).toList();
            case "whitebox Bert Cloud by operator" -> ops.stream().map(o -> paper.get("whitebox-latency").get("Bert|" + o + "|cloud")).toList();
            case "blackbox ResNet identity by deployment" -> List.of("mobile", "edge", "cloud", "mobile-edge", "edge-cloud", "mobile-cloud")
                    .stream().map(d -> paper.get("blackbox-latency").get("ResNet|identity|" + d)).toList();
            default -> throw new AssertionError("no data for " + name);
        };
    }

    private static Samples[] pair(JsonNode c, String name) {
        if (c.hasNonNull("x")) {
            return new Samples[] {Samples.of(doubles(c.get("x"))), Samples.of(doubles(c.get("y")))};
        }
        Map<String, Samples> w = paper.get("whitebox-latency");
        return switch (name) {
            case "whitebox ResNet Edge distill+sptq vs identity" -> new Samples[] {w.get("ResNet|distill+sptq|edge"), w.get("ResNet|identity|edge")};
            case "whitebox ResNet Edge pruned vs identity" -> new Samples[] {w.get("ResNet|prune|edge"), w.get("ResNet|identity|edge")};
            default -> throw new AssertionError("no data for " + name);
        };
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }
}
