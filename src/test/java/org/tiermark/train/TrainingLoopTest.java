package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared loop stops at the first non-finite loss and keeps the last good checkpoint. */
class TrainingLoopTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void threads() {
        Tiny.oneThread();
    }

    /** Cross-entropy that turns NaN from call {@code nanFrom} on (1-based). */
    private static Loss nanAfter(int nanFrom) {
        Loss ce = Loss.softmaxCrossEntropyLoss();
        return new Loss("NanAfter") {
            private int calls;

            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                NDArray l = ce.evaluate(labels, predictions);
                return ++calls >= nanFrom ? l.mul(Float.NaN) : l;
            }
        };
    }

    @Test
    void nanInTheSecondEpochStopsAndKeepsTheFirstEpochsCheckpoint() {
        FmnistInputs train = Tiny.squares(64, 12, 1);
        try (Model model = FashionMnistTrainer.newModel(Tiny.resnet())) {
            Network net = (Network) model.getBlock();
            Path checkpoint = dir.resolve("checkpoint");
            // 64 images at batch 32: two steps per epoch, the fourth step is NaN
            TrainingLoop.DivergedException e = assertThrows(TrainingLoop.DivergedException.class,
                    () -> TrainingLoop.run(model, net.inputShape(32), train, train, Tiny.options(3, 1e-3f), nanAfter(4),
                            null, null, checkpoint, "test", x -> { }));
            assertTrue(e.getMessage().contains("step 4 (epoch 2)") && e.getMessage().contains("(epoch 1)")
                    && e.getMessage().contains(checkpoint.toString()), e.getMessage());
            assertTrue(Files.isRegularFile(checkpoint.resolve("resnet-fmnist-0000.params")));
        }
    }

    @Test
    void nanInTheFirstEpochWritesNothing() {
        FmnistInputs train = Tiny.squares(64, 12, 1);
        try (Model model = FashionMnistTrainer.newModel(Tiny.resnet())) {
            Network net = (Network) model.getBlock();
            Path checkpoint = dir.resolve("checkpoint");
            TrainingLoop.DivergedException e = assertThrows(TrainingLoop.DivergedException.class,
                    () -> TrainingLoop.run(model, net.inputShape(32), train, train, Tiny.options(2, 1e-3f), nanAfter(1),
                            null, null, checkpoint, "test", x -> { }));
            assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
            assertFalse(Files.exists(checkpoint));
        }
    }

    @Test
    void epochsAreLoggedWithFiniteLossAndAccuracy() throws Exception {
        FmnistInputs train = Tiny.squares(64, 12, 1);
        try (Model model = FashionMnistTrainer.newModel(Tiny.resnet())) {
            Network net = (Network) model.getBlock();
            TrainingLoop.Run run = TrainingLoop.run(model, net.inputShape(32), train, train, Tiny.options(2, 1e-3f),
                    Loss.softmaxCrossEntropyLoss(), null, null, null, "test", x -> { });
            assertEquals(2, run.epochs().size());
            for (TrainingLoop.Epoch ep : run.epochs()) {
                assertTrue(Double.isFinite(ep.trainLoss()) && ep.trainAccuracy() >= 0 && ep.testAccuracy() >= 0, ep.toString());
            }
        }
    }
}
