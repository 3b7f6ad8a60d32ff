package org.tiermark.accuracy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tiermark.Scores;

class MetricsTest {
    @Test
    void f1FromCounts() {
        // precision 8/10, recall 8/12: F1 = 2 * 0.8 * 0.667 / 1.467 = 16/22
        assertEquals(16.0 / 22.0, Scores.f1(8, 2, 4), 1e-12);
        assertEquals(1.0, Scores.f1(5, 0, 0));
        assertEquals(0.0, Scores.f1(0, 3, 3));
    }

    @Test
    void iouOfMasksAndBoxes() {
        BitSet a = new BitSet();
        a.set(0, 4);
        BitSet b = new BitSet();
        b.set(2, 8);
        assertEquals(2.0 / 8.0, Metrics.iou(a, b), 1e-12);
        assertEquals(1.0, Metrics.iou(new BitSet(), new BitSet()), "two empty masks agree");
        assertEquals(25.0 / 175.0, Metrics.boxIou(new int[] {0, 0, 10, 10}, new int[] {5, 5, 15, 15}), 1e-12);
        assertEquals(0.0, Metrics.boxIou(new int[] {0, 0, 2, 2}, new int[] {2, 2, 4, 4}));
    }

    @Test
    void boxesMatchOneToOne() {
        List<int[]> truth = List.of(new int[] {0, 0, 10, 10}, new int[] {20, 0, 30, 10});
        List<int[]> pred = List.of(new int[] {0, 0, 10, 11}, new int[] {1, 0, 10, 10}, new int[] {50, 50, 60, 60});
        assertEquals(1, Metrics.matchBoxes(pred, truth, 0.5), "two predictions on one truth count once");
    }

    @Test
    void bootstrapIsSeededAndBracketsTheValue() {
        double[] scores = new double[200];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = i % 4 == 0 ? 0 : 1;
        }
        Metrics.Statistic mean = idx -> {
            double s = 0;
            for (int i : idx) {
                s += scores[i];
            }
            return s / idx.length;
        };
        double[] ci = Metrics.bootstrap95(scores.length, mean);
        assertArrayEquals(ci, Metrics.bootstrap95(scores.length, mean), "seeded");
        assertTrue(ci[0] < 0.75 && 0.75 < ci[1], "brackets the mean: " + ci[0] + ".." + ci[1]);
        // binomial standard error sqrt(.75 * .25 / 200) = 0.031: the interval is about +-1.96 of it
        assertEquals(2 * 1.96 * 0.0306, ci[1] - ci[0], 0.03);
        double[] constant = Metrics.bootstrap95(50, idx -> 0.9);
        assertArrayEquals(new double[] {0.9, 0.9}, constant);
    }

    @Test
    void textDetectionFindsBoxesInAHandMadeMap() {
        int w = 40;
        int h = 20;
        FloatBuffer map = FloatBuffer.allocate(w * h);
        // two kernels; a faint blob below the box threshold is no box
        fill(map, w, 2, 4, 18, 8, 0.9f);
        fill(map, w, 24, 10, 36, 14, 0.8f);
        fill(map, w, 30, 1, 34, 4, 0.4f);
        List<int[]> truth = List.of(new int[] {0, 2, 20, 10}, new int[] {22, 8, 38, 16});
        Evaluator.Outcome o = TextDetectionEvaluator.judge(map, w, h, truth);
        assertEquals(2, o.boxTp());
        assertEquals(0, o.boxFp());
        assertEquals(0, o.boxFn());
        assertTrue(o.score() > 0.3 && o.score() < 1.0, "IoU with the shrunk truth: " + o.score());
        assertEquals(64 + 48 + 12, o.mask().cardinality(), "every pixel above 0.3 is in the mask");
    }

    private static void fill(FloatBuffer map, int w, int x0, int y0, int x1, int y1, float v) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                map.put(y * w + x, v);
            }
        }
    }
}
