package org.tiermark.train.text;

import org.tiermark.train.TrainingLoop;
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
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tiermark.InvalidInputException;
import org.tiermark.Scores;

/**
 * The training loop of the text trainers: Adam with a cosine learning-rate decay over a seeded
 * shuffle of the tokenized training texts, optional teacher logits as a second label, a hook after
 * every optimizer step (pruning masks), progress lines (step, loss, accuracy, time left), the
 * parameters saved after every epoch by a rename, and a stop naming the step and the last good
 * checkpoint at the first non-finite loss.
 */
public final class TextTrainingLoop {
    /** {@code -Dtiermark.trace=true}: name every parameter whose gradient is large (squared norm over 100) or not finite. */
    static final boolean TRACE = Boolean.getBoolean("tiermark.trace");

    /** Runs after every optimizer step, e.g. to re-apply pruning masks (Adam regrows pruned weights). */
    public interface AfterStep {
        void after(int step, int totalSteps);
    }

    /**
     * How long and how fast to train.
     *
     * @param limit    train on the first {@code limit} texts only (0: all)
     * @param maxSteps stop after this many optimizer steps (0: no limit)
     */
    public record Options(int epochs, int batchSize, float learningRate, long seed, int limit, int maxSteps) {
        public Options {
            if (epochs < 1 || batchSize < 1 || limit < 0 || maxSteps < 0) {
                throw new InvalidInputException("training: epochs and batch size must be >= 1, limit and max steps >= 0 (got epochs "
                        + epochs + ", batch " + batchSize + ", limit " + limit + ", max steps " + maxSteps + ")");
            }
            if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
                throw new InvalidInputException("training: the learning rate must be > 0 and finite (got " + learningRate + ")");
            }
        }
    }

    /**
     * One epoch's log line.
     *
     * @param trainLoss     mean loss over the epoch's steps
     * @param trainAccuracy accuracy on the epoch's batches, as the network was at each step
     * @param trainF1       F1 (spam) on the same predictions
     */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double trainF1, double seconds) {}

    /** What one run did: its epochs, its last good parameters, its time per step. */
    public record Run(List<Epoch> epochs, Path checkpoint, int steps, double seconds, double secondsPerStep) {}

    private TextTrainingLoop() {}

    /**
     * Trains {@code model}'s {@link BertClassifier} in place on {@code data}.
     *
     * @param teacher row-major {@code [n, classes]} teacher logits of {@code data} (labels {@code [y, teacher]}), or null
     */
    public static Run run(Model model, TokenizedTexts data, float[] teacher, Loss loss, Options o, AfterStep afterStep,
                          Path checkpointDir, String name) {
        long runStart = System.nanoTime();
        Engine.getInstance().setRandomSeed((int) o.seed());
        BertClassifier block = (BertClassifier) model.getBlock();
        int classes = block.config().classes();
        int n = o.limit() > 0 ? Math.min(o.limit(), data.size()) : data.size();
        int perEpoch = (n + o.batchSize() - 1) / o.batchSize();
        int total = o.maxSteps() > 0 ? Math.min(o.maxSteps(), perEpoch * o.epochs()) : perEpoch * o.epochs();
        Tracker lr = Tracker.cosine().setBaseValue(o.learningRate()).optFinalValue(o.learningRate() * 0.01f)
                .setMaxUpdates(Math.max(1, total)).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).build())
                .optDevices(new Device[] {Device.cpu()});
        SplittableRandom shuffle = new SplittableRandom(o.seed() * 31 + 1);
        int s = data.sequence();
        long[] ids = new long[o.batchSize() * s];
        long[] mask = new long[o.batchSize() * s];
        long[] types = new long[o.batchSize() * s];
        List<Epoch> epochs = new ArrayList<>();
        Path saved = null;
        int step = 0;
        int every = Math.max(1, Math.min(20, perEpoch / 5));
        long trainStart = System.nanoTime();
        try (Trainer trainer = model.newTrainer(config)) {
            Shape in = new Shape(o.batchSize(), s);
            trainer.initialize(in, in, in);
            for (int e = 1; e <= o.epochs() && step < total; e++) {
                long start = System.nanoTime();
                int[] order = permutation(n, shuffle);
                double lossSum = 0;
                int lossCount = 0;
                double normSum = 0;
                double normMax = 0;
                int correct = 0;
                int tp = 0;
                int fp = 0;
                int fn = 0;
                int seen = 0;
                for (int b = 0; b < perEpoch && step < total; b++, step++) {
                    int from = b * o.batchSize();
                    int k = Math.min(o.batchSize(), n - from);
                    data.gather(order, from, k, ids, mask, types);
                    float[] y = new float[k];
                    float[] soft = teacher == null ? null : new float[k * classes];
                    for (int i = 0; i < k; i++) {
                        y[i] = data.labels()[order[from + i]];
                        if (soft != null) {
                            System.arraycopy(teacher, order[from + i] * classes, soft, i * classes, classes);
                        }
                    }
                    float value;
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        Shape shape = new Shape(k, s);
                        NDList x = new NDList(m.create(LongBuffer.wrap(ids, 0, k * s), shape),
                                m.create(LongBuffer.wrap(mask, 0, k * s), shape),
                                m.create(LongBuffer.wrap(types, 0, k * s), shape));
                        NDArray labels = m.create(y);
                        NDList target = soft == null ? new NDList(labels) : new NDList(labels, m.create(soft, new Shape(k, classes)));
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList pred = trainer.forward(x);
                            NDArray l = trainer.getLoss().evaluate(target, pred);
                            value = l.getFloat();
                            TrainingLoop.DivergedException.check(value, name, step + 1, e, o.learningRate(), saved);
                            gc.backward(l);
                            double norm = gradientNorm(block);
                            normMax = Math.max(normMax, norm);
                            normSum += norm;
                            float[] logits = pred.singletonOrThrow().toFloatArray();
                            for (int i = 0; i < k; i++) {
                                int p = logits[i * classes + 1] > logits[i * classes] ? 1 : 0;
                                int t = (int) y[i];
                                correct += p == t ? 1 : 0;
                                tp += p == 1 && t == 1 ? 1 : 0;
                                fp += p == 1 && t == 0 ? 1 : 0;
                                fn += p == 0 && t == 1 ? 1 : 0;
                            }
                            seen += k;
                        }
                        trainer.step();
                    }
                    lossSum += value;
                    lossCount++;
                    if (afterStep != null) {
                        afterStep.after(step + 1, total);
                    }
                    if ((b + 1) % every == 0 || step + 1 == total) {
                        double perStep = (System.nanoTime() - trainStart) / 1e9 / (step + 1);
                        System.out.printf("  %s epoch %d step %d/%d (%d/%d): loss %.4f, train accuracy %.4f, gradient norm %.3g (max %.3g), "
                                        + "%.1f s/step, %.0f s left%n",
                                name, e, b + 1, perEpoch, step + 1, total, lossSum / lossCount, correct / (double) seen,
                                normSum / lossCount, normMax,
                                perStep, perStep * (total - step - 1));
                    }
                }
                Epoch ep = new Epoch(e, lossSum / Math.max(1, lossCount), correct / (double) Math.max(1, seen),
                        Scores.f1(tp, fp, fn), (System.nanoTime() - start) / 1e9);
                epochs.add(ep);
                if (checkpointDir != null) {
                    saved = checkpoint(model, checkpointDir);
                }
                System.out.printf("%s epoch %d: loss %.4f, train accuracy %.4f, train F1 %.4f, %.0f s%n", name, e,
                        ep.trainLoss(), ep.trainAccuracy(), ep.trainF1(), ep.seconds());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot write the checkpoint to " + checkpointDir, e);
        }
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        return new Run(List.copyOf(epochs), saved, step, (System.nanoTime() - runStart) / 1e9, trainSeconds / Math.max(1, step));
    }

    /**
     * The global L2 norm of the trainable parameters' gradients, shown in the progress line (mean and largest since the
     * epoch began) so that a run heading for divergence shows it: in session 5 bge-spam's prune went from ~5 to ~15
     * (largest 98) while its loss rose (docs/runs/bge-prune-20261130-s5).
     */
    static double gradientNorm(BertClassifier block) {
        double squares = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                // a new native handle to the gradient (as DJL's own parameter update gets it), closed here
                try (NDArray g = p.getValue().getArray().getGradient(); NDArray square = g.square(); NDArray sum = square.sum()) {
                    squares += sum.getFloat();
                    if (TRACE && (!Float.isFinite(sum.getFloat()) || sum.getFloat() > 100)) {
                        try (NDArray abs = p.getValue().getArray().abs(); NDArray max = abs.max()) {
                            System.out.printf("    trace: gradient of %s: squared norm %.4g, weight max |w| %.4g%n", p.getKey(),
                                    sum.getFloat(), max.getFloat());
                        }
                    }
                }
            }
        }
        return Math.sqrt(squares);
    }

    /**
     * Saves the parameters into {@code dir} through a staging folder and a rename, so that an interrupted
     * save never replaces the previous good checkpoint with a partial file.
     */
    static Path checkpoint(Model model, Path dir) throws IOException {
        Path staging = dir.resolve(".saving");
        Files.createDirectories(staging);
        model.save(staging, model.getName());
        Path file;
        try (var files = Files.list(staging)) {
            file = files.filter(f -> f.getFileName().toString().endsWith(".params")).findFirst()
                    .orElseThrow(() -> new IOException("DJL wrote no .params file into " + staging));
        }
        Path target = dir.resolve(file.getFileName());
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (var rest = Files.list(staging)) {
            for (Path p : rest.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(staging);
        return target;
    }

    static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
