package org.tiermark.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.tiermark.data.FashionMnistSets;

/**
 * The training loop the white-box operators share (distillation, pruning, channel pruning, QAT): Adam
 * with a cosine learning-rate decay, the trainer's augmentation, optional teacher logits as a second
 * label, a hook after every optimizer step (pruning masks), progress lines with the time left, a
 * checkpoint after every epoch, and a stop with a clear message at the first non-finite loss.
 */
public final class TrainingLoop {
    /** Logits of a teacher for a batch of preprocessed images: the soft targets of distillation. */
    public interface Teacher {
        /** Row-major {@code [n, classes]} logits of the first {@code n} images of {@code pixels}. */
        float[] logits(float[] pixels, int n, int side) throws OrtException;
    }

    /** Runs after every optimizer step, e.g. to re-apply pruning masks (Adam regrows pruned weights). */
    public interface AfterStep {
        void after(int step, int totalSteps);
    }

    /**
     * One epoch's log line.
     *
     * @param trainLoss     mean loss over the epoch's steps
     * @param trainAccuracy top-1 on the epoch's (augmented) training batches, as the network was at each step
     * @param testAccuracy  top-1 on the test images after the epoch
     */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, long nanos) {}

    /** What one run did: its epochs, and where its last good parameters are. */
    public record Run(List<Epoch> epochs, Path checkpoint, long nanos) {}

    /** A run stopped because its loss stopped being finite; the last good checkpoint is kept on disk. */
    public static final class DivergedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        DivergedException(String message) {
            super(message);
        }

        /**
         * Throws when {@code loss} is not finite, naming the step, the learning rate and the last good
         * checkpoint ({@code saved}, written after epoch {@code epoch - 1}; null when no epoch completed).
         * Shared by the image and the text training loops.
         */
        public static void check(float loss, String name, int step, int epoch, float learningRate, Path saved) {
            if (!Float.isFinite(loss)) {
                throw new DivergedException(name + ": training diverged: loss " + loss + " at step " + step
                        + " (epoch " + epoch + "); try a lower learning rate (now " + learningRate + "). "
                        + (saved == null ? "No epoch completed: nothing was written."
                                : "Last good checkpoint (epoch " + (epoch - 1) + "): " + saved));
            }
        }
    }

    private TrainingLoop() {}

    /**
     * Trains {@code model}'s block in place. Parameters not yet initialized get He initialization;
     * initialized ones (a loaded teacher, a pruned copy) are fine-tuned. After every epoch the parameters
     * are saved to {@code checkpointDir} (replacing the previous epoch's).
     *
     * @param inputShape    shape of one batch of {@code o.batchSize()} images
     * @param teacher       soft targets: the loss then receives labels {@code [y, teacherLogits]}; null for labels only
     * @param afterStep     hook after every optimizer step; null for none
     * @param name          prefix of the progress lines
     */
    public static Run run(Model model, Shape inputShape, FmnistInputs train, FmnistInputs test,
                          FashionMnistTrainer.Options o, Loss loss, Teacher teacher, AfterStep afterStep,
                          Path checkpointDir, String name, Consumer<Epoch> log) throws OrtException {
        long runStart = System.nanoTime();
        Engine.getInstance().setRandomSeed((int) o.seed());
        int n = Math.min(o.trainLimit(), train.size());
        int stepsPerEpoch = (n + o.batchSize() - 1) / o.batchSize();
        int totalSteps = o.maxSteps() > 0 ? Math.min(o.maxSteps(), stepsPerEpoch * o.epochs()) : stepsPerEpoch * o.epochs();
        Tracker lr = Tracker.cosine().setBaseValue(o.learningRate()).optFinalValue(o.learningRate() * 0.01f)
                .setMaxUpdates(Math.max(1, totalSteps)).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                // He initialization: the units are ReLU networks
                .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                        XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).optWeightDecays(o.weightDecay()).build())
                .optDevices(new Device[] {Device.cpu()});
        SplittableRandom shuffle = new SplittableRandom(o.seed() * 31 + 1);
        SplittableRandom augment = new SplittableRandom(o.seed() * 31 + 2);
        int side = train.side();
        int plane = train.plane();
        float[] batch = new float[o.batchSize() * plane];
        float[] labels = new float[o.batchSize()];
        List<Epoch> epochs = new ArrayList<>();
        Path saved = null;
        int step = 0;
        int every = Math.max(1, Math.min(50, stepsPerEpoch / 4));
        long trainStart = System.nanoTime();
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(inputShape);
            for (int e = 1; e <= o.epochs() && step < totalSteps; e++) {
                long start = System.nanoTime();
                int[] order = FashionMnistSets.permutation(n, shuffle);
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                int lossCount = 0;
                for (int b = 0; b < stepsPerEpoch && step < totalSteps; b++, step++) {
                    int from = b * o.batchSize();
                    int k = Math.min(o.batchSize(), n - from);
                    for (int i = 0; i < k; i++) {
                        int idx = order[from + i];
                        if (o.augment()) {
                            FashionMnistTrainer.augmentInto(train.pixels(), idx * plane, batch, i * plane, side, augment);
                        } else {
                            System.arraycopy(train.pixels(), idx * plane, batch, i * plane, plane);
                        }
                        labels[i] = train.label(idx);
                    }
                    float[] soft = teacher == null ? null : teacher.logits(batch, k, side);
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        NDArray x = m.create(FloatBuffer.wrap(batch, 0, k * plane), new Shape(k, 1, side, side));
                        NDArray y = m.create(Arrays.copyOf(labels, k));
                        NDList target = soft == null ? new NDList(y)
                                : new NDList(y, m.create(soft, new Shape(k, soft.length / k)));
                        float value;
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList pred = trainer.forward(new NDList(x));
                            NDArray l = trainer.getLoss().evaluate(target, pred);
                            value = l.getFloat();
                            DivergedException.check(value, name, step + 1, e, o.learningRate(), saved);
                            gc.backward(l);
                            correct += pred.singletonOrThrow().argMax(1).toType(DataType.FLOAT32, false)
                                    .eq(y).sum().getLong();
                            seen += k;
                        }
                        lossSum += value;
                        lossCount++;
                        trainer.step();
                    }
                    if (afterStep != null) {
                        afterStep.after(step + 1, totalSteps);
                    }
                    if ((b + 1) % every == 0) {
                        double perStep = (System.nanoTime() - trainStart) / 1e9 / (step + 1);
                        System.out.printf("  %s epoch %d step %d/%d (%d/%d): loss %.4f, train accuracy %.4f, %.0f s left%n",
                                name, e, b + 1, stepsPerEpoch, step + 1, totalSteps, lossSum / lossCount,
                                correct / (double) seen, perStep * (totalSteps - step - 1));
                    }
                }
                long nanos = System.nanoTime() - start;
                double acc = test == null ? Double.NaN : accuracy(model.getBlock(), model.getNDManager(), test);
                Epoch ep = new Epoch(e, lossSum / Math.max(1, lossCount), correct / (double) Math.max(1, seen), acc, nanos);
                epochs.add(ep);
                if (checkpointDir != null) {
                    saved = checkpoint(model, checkpointDir);
                }
                log.accept(ep);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot write the checkpoint to " + checkpointDir, e);
        }
        return new Run(List.copyOf(epochs), saved, System.nanoTime() - runStart);
    }

    /**
     * Saves the parameters to {@code dir} by a rename, so that an interrupted save never replaces the
     * previous good checkpoint with a partial file.
     */
    static Path checkpoint(Model model, Path dir) throws IOException {
        Path staging = FashionMnistTrainer.save(model, dir.resolve(".saving"));
        Path target = dir.resolve(staging.getFileName());
        Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(staging.getParent());
        return target;
    }

    /** Top-1 accuracy of {@code block} on {@code data} in inference mode, {@link FashionMnistTrainer#EVAL_BATCH} images at a time. */
    public static double accuracy(Block block, NDManager manager, FmnistInputs data) {
        return OnnxLogits.accuracy(logits(block, manager, data), data);
    }

    /** Logits of every image of {@code data} computed by {@code block} in inference mode. */
    public static float[][] logits(Block block, NDManager manager, FmnistInputs data) {
        int plane = data.plane();
        float[][] out = new float[data.size()][];
        ParameterStore ps = new ParameterStore(manager, false);
        int batchSize = FashionMnistTrainer.EVAL_BATCH;
        for (int from = 0; from < data.size(); from += batchSize) {
            int n = Math.min(batchSize, data.size() - from);
            try (NDManager m = manager.newSubManager()) {
                NDArray x = m.create(FloatBuffer.wrap(data.pixels(), from * plane, n * plane),
                        new Shape(n, 1, data.side(), data.side()));
                NDArray y = block.forward(ps, new NDList(x), false).singletonOrThrow();
                int classes = (int) y.getShape().get(1);
                float[] flat = y.toFloatArray();
                for (int i = 0; i < n; i++) {
                    out[from + i] = Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
                }
            }
        }
        return out;
    }
}
