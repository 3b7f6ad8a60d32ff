package org.tiermark.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tiermark.InvalidInputException;

/**
 * Trains a tiermark classifier on Fashion-MNIST with DJL's PyTorch engine: Adam with a cosine
 * learning-rate decay, random horizontal flips and shifts, batch norm; evaluates on the test split.
 */
public final class FashionMnistTrainer {
    /**
     * Training settings.
     *
     * @param epochs        passes over the training images
     * @param batchSize     images per step
     * @param learningRate  Adam's peak learning rate (decays by a cosine to 1% of it)
     * @param weightDecay   L2 weight decay
     * @param seed          seeds weight initialization (torch), shuffling and augmentation separately
     * @param trainLimit    use only the first this many training images (smoke runs), else all
     * @param maxSteps      stop after this many steps (smoke runs), 0 for no limit
     * @param augment       random flips and shifts (off: the images as they are, e.g. for a final fine-tune)
     */
    public record Options(int epochs, int batchSize, float learningRate, float weightDecay, long seed,
                          int trainLimit, int maxSteps, boolean augment) {
        public Options {
            if (epochs < 1) {
                throw new InvalidInputException("epochs must be >= 1 (got " + epochs + ")");
            }
            if (batchSize < 1) {
                throw new InvalidInputException("batch size must be >= 1 (got " + batchSize + ")");
            }
            if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
                throw new InvalidInputException("learning rate must be > 0 and finite (got " + learningRate + ")");
            }
            if (!(weightDecay >= 0)) {
                throw new InvalidInputException("weight decay must be >= 0 (got " + weightDecay + ")");
            }
            if (trainLimit < 1 || maxSteps < 0) {
                throw new InvalidInputException("train limit must be >= 1 and max steps >= 0 (got " + trainLimit
                        + ", " + maxSteps + ")");
            }
        }

        public static Options defaults(int epochs, long seed) {
            return new Options(epochs, 128, 2e-3f, 5e-5f, seed, Integer.MAX_VALUE, 0, true);
        }

        /** The same settings with another learning rate (fine-tuning starts lower than training from scratch). */
        public Options withLearningRate(float lr) {
            return new Options(epochs, batchSize, lr, weightDecay, seed, trainLimit, maxSteps, augment);
        }
    }

    /** One epoch's log line. */
    public record Epoch(int epoch, double trainLoss, double testAccuracy, long nanos) {}

    private FashionMnistTrainer() {}

    /** A new DJL model holding {@code a}'s network with freshly initialized parameters. */
    public static Model newModel(Architecture a) {
        Model model = Model.newInstance(a.name(), Device.cpu(), "PyTorch");
        model.setBlock(new Network(a));
        return model;
    }

    /**
     * Trains {@code model}'s network in place on {@code train}, reporting each epoch to {@code log};
     * returns the epochs' log (test accuracy measured on {@code test} after each epoch).
     */
    public static List<Epoch> train(Model model, FmnistInputs train, FmnistInputs test, Options o,
                                    java.util.function.Consumer<Epoch> log) {
        Network net = (Network) model.getBlock();
        Engine.getInstance().setRandomSeed((int) o.seed());
        int stepsPerEpoch = (train.size() + o.batchSize() - 1) / o.batchSize();
        int totalSteps = o.maxSteps() > 0 ? Math.min(o.maxSteps(), stepsPerEpoch * o.epochs()) : stepsPerEpoch * o.epochs();
        Tracker lr = Tracker.cosine().setBaseValue(o.learningRate()).optFinalValue(o.learningRate() * 0.01f)
                .setMaxUpdates(totalSteps).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                // He initialization: the units are ReLU networks
                .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                        XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).optWeightDecays(o.weightDecay()).build())
                .optDevices(new Device[] {Device.cpu()});
        List<Epoch> epochs = new ArrayList<>();
        SplittableRandom shuffle = new SplittableRandom(o.seed() * 31 + 1);
        SplittableRandom augment = new SplittableRandom(o.seed() * 31 + 2);
        int side = train.side();
        int plane = train.plane();
        float[] batch = new float[o.batchSize() * plane];
        float[] labels = new float[o.batchSize()];
        int step = 0;
        // an epoch can take minutes: a line every ~quarter epoch shows the run is alive and converging
        int progress = stepsPerEpoch >= 40 ? stepsPerEpoch / 4 : 0;
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(net.inputShape(o.batchSize()));
            for (int e = 1; e <= o.epochs() && step < totalSteps; e++) {
                long start = System.nanoTime();
                int[] order = org.tiermark.data.FashionMnistSets.permutation(train.size(), shuffle);
                double lossSum = 0;
                int lossCount = 0;
                for (int b = 0; b < stepsPerEpoch && step < totalSteps; b++, step++) {
                    int from = b * o.batchSize();
                    int n = Math.min(o.batchSize(), train.size() - from);
                    for (int i = 0; i < n; i++) {
                        int idx = order[from + i];
                        if (o.augment()) {
                            augmentInto(train.pixels(), idx * plane, batch, i * plane, side, augment);
                        } else {
                            System.arraycopy(train.pixels(), idx * plane, batch, i * plane, plane);
                        }
                        labels[i] = train.label(idx);
                    }
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        NDArray x = m.create(java.nio.FloatBuffer.wrap(batch, 0, n * plane), new Shape(n, 1, side, side));
                        NDArray y = m.create(java.util.Arrays.copyOf(labels, n));
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList pred = trainer.forward(new NDList(x));
                            NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
                            gc.backward(loss);
                            float value = loss.getFloat();
                            // a diverged run only wastes the rest of its epochs: stop with what to change
                            if (!Float.isFinite(value)) {
                                throw new IllegalStateException("training diverged: loss " + value + " at step " + step
                                        + " (epoch " + e + "); try a lower --lr (now " + o.learningRate() + ")");
                            }
                            lossSum += value;
                            lossCount++;
                        }
                        trainer.step();
                    }
                    if (progress > 0 && (b + 1) % progress == 0) {
                        System.out.printf("  epoch %d step %d/%d: mean loss %.4f, %.0f s%n", e, b + 1, stepsPerEpoch,
                                lossSum / lossCount, (System.nanoTime() - start) / 1e9);
                    }
                }
                long nanos = System.nanoTime() - start;
                double acc = test == null ? Double.NaN : accuracy(model, test, EVAL_BATCH);
                Epoch ep = new Epoch(e, lossSum / Math.max(1, lossCount), acc, nanos);
                epochs.add(ep);
                log.accept(ep);
            }
        }
        return epochs;
    }

    /**
     * Images per inference batch when evaluating: small batches keep each layer's activations in cache
     * (2000 test images at 42x42 took 22-25 s at batch 500 and 4.4 s at batch 50 here).
     */
    public static final int EVAL_BATCH = 50;

    /** Top-1 accuracy of {@code model} on {@code data}, in inference mode (batch-norm running statistics). */
    public static double accuracy(Model model, FmnistInputs data, int batchSize) {
        return OnnxLogits.accuracy(logits(model, data, batchSize), data);
    }

    /** The logits of every image of {@code data}, computed by DJL in inference mode. */
    public static float[][] logits(Model model, FmnistInputs data, int batchSize) {
        Network net = (Network) model.getBlock();
        int plane = data.plane();
        int classes = net.architecture().classes();
        float[][] out = new float[data.size()][];
        ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(model.getNDManager(), false);
        for (int from = 0; from < data.size(); from += batchSize) {
            int n = Math.min(batchSize, data.size() - from);
            try (NDManager m = model.getNDManager().newSubManager()) {
                NDArray x = m.create(java.nio.FloatBuffer.wrap(data.pixels(), from * plane, n * plane),
                        new Shape(n, 1, data.side(), data.side()));
                float[] flat = net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
                for (int i = 0; i < n; i++) {
                    out[from + i] = java.util.Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
                }
            }
        }
        return out;
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Saves the DJL parameters as {@code dir/<name>-0000.params}. */
    public static Path save(Model model, Path dir) throws IOException {
        Files.createDirectories(dir);
        // DJL numbers the file after the newest one already there: always 0000, replacing an older run's
        model.setProperty("Epoch", "0");
        model.save(dir, model.getName());
        return dir.resolve(model.getName() + "-0000.params");
    }

    /** A DJL model of {@code a} with the parameters saved by {@link #save} in {@code dir}. */
    public static Model load(Architecture a, Path dir) throws IOException {
        Model model = newModel(a);
        try {
            model.getBlock().initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32,
                    ((Network) model.getBlock()).inputShape(1));
            model.load(dir, a.name());
            return model;
        } catch (ai.djl.MalformedModelException | IOException | RuntimeException e) {
            model.close();
            throw new org.tiermark.InvalidInputException(dir + ": cannot load " + a.name() + " parameters: " + e.getMessage(), e);
        }
    }

    /**
     * Copies one image with a random horizontal flip and a random shift of up to 1/14 of its side in
     * each direction (2 pixels at 28x28, 4 at 64x64), filling the uncovered border with the background.
     */
    static void augmentInto(float[] src, int srcOffset, float[] dst, int dstOffset, int side, SplittableRandom r) {
        boolean flip = r.nextBoolean();
        int max = Math.max(1, side / 14);
        int dx = r.nextInt(2 * max + 1) - max;
        int dy = r.nextInt(2 * max + 1) - max;
        float bg = FmnistInputs.background();
        for (int y = 0; y < side; y++) {
            int sy = y - dy;
            for (int x = 0; x < side; x++) {
                int sx = x - dx;
                float v = bg;
                if (sy >= 0 && sy < side && sx >= 0 && sx < side) {
                    v = src[srcOffset + sy * side + (flip ? side - 1 - sx : sx)];
                }
                dst[dstOffset + y * side + x] = v;
            }
        }
    }
}
