package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;

/** Unstructured magnitude pruning: the mask, the schedule, the refusals and a short real run. */
class PruningTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void threads() {
        Tiny.oneThread();
    }

    @Test
    void maskZeroesExactlyTheSmallestMagnitudesTiesByPosition() {
        float[] w = {0.5f, -0.1f, 0.2f, -0.2f, 0.0f, 3f};
        assertArrayEquals(new float[] {1, 0, 0, 1, 0, 1}, Pruning.Masks.mask(w, 3));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, Pruning.Masks.mask(w, 0));
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1}, Pruning.Masks.mask(w, 5));
    }

    @Test
    void cubicScheduleRisesFromZeroToTheTargetAndStays() {
        assertEquals(0, Pruning.scheduled(0.75, 0, 100), 1e-12);
        assertEquals(0.75 * (1 - 0.125), Pruning.scheduled(0.75, 50, 100), 1e-12);
        assertEquals(0.75, Pruning.scheduled(0.75, 100, 100), 1e-12);
        assertEquals(0.75, Pruning.scheduled(0.75, 150, 100), 1e-12);
    }

    @Test
    void sparsityOutsideTheRangeIsRefusedBeforeTraining() {
        var o = Tiny.options(1, 1e-3f);
        for (double bad : new double[] {-0.1, 1.0, Double.NaN}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> new Pruning.Params(bad, 0.5, 10, o));
            assertTrue(e.getMessage().contains("prune.sparsity") && e.getMessage().contains("[0, 1)"), e.getMessage());
        }
    }

    /** Fine-tuning with Adam between mask updates: every pruned layer ends at its target, within 1 point. */
    @Test
    void pruneReachesTheTargetInEveryLayerAndExports() throws Exception {
        Architecture a = Tiny.resnet();
        Path source = dir.resolve("source");
        Tiny.saveRandom(a, source);
        FmnistInputs train = Tiny.squares(256, 12, 1);
        FmnistInputs test = Tiny.squares(100, 12, 2);
        var p = new Pruning.Params(0.75, 0.5, 2, Tiny.options(3, 5e-3f));
        TrainedVariant<Pruning.Params> v = Pruning.prune(a, source, train, test, p, dir.resolve("out"), e -> { });
        Pruning.Details d = (Pruning.Details) v.details();
        assertEquals(Pruning.prunable(new Network(a)).size(), d.layers().size());
        for (Pruning.LayerSparsity l : d.layers()) {
            assertEquals(0.75, l.sparsity(), 0.01, l.layer());
        }
        assertTrue(v.testAccuracyOnnx() > 0.3, "accuracy " + v.testAccuracyOnnx());
        assertTrue(v.maxAbsLogitDiff() < 1e-4);
        // the checkpoint is saved after the last optimizer step, before the final export: without masks
        // re-applied after every step, Adam would have regrown pruned weights by then
        try (var model = FashionMnistTrainer.load(a, v.checkpoint().getParent())) {
            for (var e : Pruning.prunable((Network) model.getBlock()).entrySet()) {
                float[] w = e.getValue().getArray().toFloatArray();
                long zeros = 0;
                for (float x : w) {
                    zeros += x == 0f ? 1 : 0;
                }
                assertEquals(0.75, zeros / (double) w.length, 0.01, "checkpoint " + e.getKey());
            }
        }
    }
}
