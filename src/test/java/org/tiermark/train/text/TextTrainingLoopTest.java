package org.tiermark.train.text;

import org.tiermark.train.TrainingLoop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text training loop on a tiny random BERT (no model files): reproducible, checkpointed, stopped by a NaN. */
class TextTrainingLoopTest {
    static final BertConfig TINY = new BertConfig(2, 8, 2, 16, 1e-12f, -1e9f, 2);
    static final int S = 6;

    @TempDir
    Path dir;

    @BeforeAll
    static void threads() {
        TextTraining.threads(1);
    }

    /** Twelve texts: label 1 when token 7 appears. */
    static TokenizedTexts data() {
        Random r = new Random(3);
        int n = 12;
        long[] ids = new long[n * S];
        long[] mask = new long[n * S];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            int len = 3 + r.nextInt(S - 2);
            for (int j = 0; j < len; j++) {
                ids[i * S + j] = 1 + r.nextInt(6);
                mask[i * S + j] = 1;
            }
            if (labels[i] == 1) {
                ids[i * S + 1] = 7;
            }
        }
        return new TokenizedTexts(ids, mask, new long[n * S], labels, S, "test");
    }

    static Model tiny(long seed) {
        Model model = Model.newInstance("tiny", "PyTorch");
        BertClassifier c = new BertClassifier(TINY, 10, S, true);
        Random r = new Random(seed);
        for (String k : c.keys()) {
            float[] v = new float[(int) c.shape(k).size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = k.endsWith("gamma") ? 1f : k.endsWith("beta") ? 0f : (float) (r.nextGaussian() * 0.2);
            }
            c.set(k, v, model.getNDManager());
        }
        model.setBlock(c);
        return model;
    }

    static float[] train(Path dir, int steps) {
        try (Model model = tiny(5)) {
            TextTrainingLoop.Run run = TextTrainingLoop.run(model, data(), null, Loss.softmaxCrossEntropyLoss(),
                    new TextTrainingLoop.Options(2, 4, 1e-2f, 7, 0, steps), null, dir, "tiny");
            assertEquals(steps, run.steps());
            assertTrue(Files.isRegularFile(run.checkpoint()), String.valueOf(run.checkpoint()));
            return ((BertClassifier) model.getBlock()).get("0.query.weight");
        }
    }

    @Test
    void sameSeedSameWeights() {
        float[] a = train(dir.resolve("a"), 5);
        float[] b = train(dir.resolve("b"), 5);
        assertArrayEquals(a, b);
        try (Model fresh = tiny(5)) {
            assertFalse(Arrays.equals(a, ((BertClassifier) fresh.getBlock()).get("0.query.weight")), "training changed it");
        }
    }

    @Test
    void aNonFiniteLossStopsNamingTheStepAndTheCheckpoint() {
        Loss nanAfterFourSteps = new Loss("nan") {
            int calls;

            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                NDArray l = Loss.softmaxCrossEntropyLoss().evaluate(labels, predictions);
                return ++calls > 4 ? l.mul(Float.NaN) : l;
            }
        };
        try (Model model = tiny(5)) {
            TrainingLoop.DivergedException e = assertThrows(TrainingLoop.DivergedException.class,
                    () -> TextTrainingLoop.run(model, data(), null, nanAfterFourSteps,
                            new TextTrainingLoop.Options(3, 4, 1e-2f, 7, 0, 0), null, dir, "tiny"));
            assertTrue(e.getMessage().contains("at step 5") && e.getMessage().contains("epoch 1"), e.getMessage());
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        }
    }

    @Test
    void theGradientNormIsTheL2NormOverEveryTrainableParametersGradient() {
        TokenizedTexts d = data();
        int k = 4;
        long[] ids = new long[k * S];
        long[] mask = new long[k * S];
        long[] types = new long[k * S];
        d.gather(new int[] {0, 1, 2, 3}, 0, k, ids, mask, types);
        try (Model model = tiny(5); Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
            Shape shape = new Shape(k, S);
            trainer.initialize(shape, shape, shape);
            BertClassifier block = (BertClassifier) model.getBlock();
            block.freezeHead();
            try (NDManager m = trainer.getManager().newSubManager(); GradientCollector gc = trainer.newGradientCollector()) {
                NDList x = new NDList(m.create(LongBuffer.wrap(ids), shape), m.create(LongBuffer.wrap(mask), shape),
                        m.create(LongBuffer.wrap(types), shape));
                gc.backward(trainer.getLoss().evaluate(new NDList(m.create(new float[] {0, 1, 0, 1})), trainer.forward(x)));
                double squares = 0;
                int counted = 0;
                for (var p : block.getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        counted++;
                        try (NDArray g = p.getValue().getArray().getGradient()) {
                            for (float v : g.toFloatArray()) {
                                squares += (double) v * v;
                            }
                        }
                    }
                }
                assertTrue(counted > 0 && counted < block.getParameters().size(), "the frozen head is left out: " + counted);
                double norm = TextTrainingLoop.gradientNorm(block);
                assertTrue(norm > 0, "a loss with a gradient: " + norm);
                assertEquals(Math.sqrt(squares), norm, 1e-5 * norm);
                assertEquals(norm, TextTrainingLoop.gradientNorm(block), 0, "reading the norm leaves the gradients alone");
            }
        }
    }
}
