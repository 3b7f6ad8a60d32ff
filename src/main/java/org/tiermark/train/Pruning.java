package org.tiermark.train;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Tensors;

/**
 * The {@code prune} operator for tiermark's CNNs: unstructured magnitude pruning of every convolution
 * inside the residual units to a target sparsity per layer, reached gradually (Zhu and Gupta's cubic
 * schedule) while fine-tuning from the trained model. The masks are re-applied after every optimizer
 * step because Adam's moments regrow pruned weights within one step. The stem (9 weights per channel,
 * reading the image) and the head stay dense, as in the studies' tools. With dense kernels the result
 * is no faster: it shows what sparsity costs in accuracy.
 */
public final class Pruning {
    /** Name of the operator, as in the variant's manifest. */
    public static final String OPERATOR = "prune";

    /**
     * @param sparsity    share of zero weights in every pruned layer, in [0, 1) (the studies: 0.75 for images)
     * @param rampShare   share of the run's steps over which sparsity rises from 0 to the target; the rest fine-tunes
     * @param updateEvery steps between mask updates during the ramp
     * @param training    epochs, learning rate (fine-tuning: lower than from scratch), seed, limits
     */
    public record Params(double sparsity, double rampShare, int updateEvery, FashionMnistTrainer.Options training) {
        public Params {
            if (!(sparsity >= 0 && sparsity < 1)) {
                throw new InvalidInputException("prune.sparsity: the share of zero weights must be in [0, 1) (got " + sparsity + ")");
            }
            if (!(rampShare > 0 && rampShare <= 1)) {
                throw new InvalidInputException("prune.rampShare: must be in (0, 1] (got " + rampShare + ")");
            }
            if (updateEvery < 1) {
                throw new InvalidInputException("prune.updateEvery: must be >= 1 step (got " + updateEvery + ")");
            }
        }

        /** 75% sparsity reached over the first 60% of 2 epochs, masks updated every 10 steps, Adam from 5e-4. */
        public static Params defaults() {
            return new Params(0.75, 0.6, 10, FashionMnistTrainer.Options.defaults(2, 1).withLearningRate(5e-4f));
        }
    }

    /** Achieved sparsity of one layer, counted in the exported ONNX model's weights. */
    public record LayerSparsity(String layer, long weights, long zeros, double sparsity) {}

    /** Per-layer and overall sparsity of the exported model, and the layers left dense. */
    public record Details(List<LayerSparsity> layers, double prunedShare, List<String> dense) {}

    private Pruning() {}

    /** Cubic schedule: the sparsity to hold after {@code step} of a ramp of {@code rampSteps}. */
    static double scheduled(double target, int step, int rampSteps) {
        double progress = Math.min(1.0, step / (double) Math.max(1, rampSteps));
        return target * (1 - Math.pow(1 - progress, 3));
    }

    /**
     * Prunes the model whose DJL parameters and {@code model.onnx} are in {@code source}, writes
     * {@code out/model.onnx} (checked against DJL) and keeps the DJL parameters in {@code out/checkpoint}.
     */
    public static TrainedVariant<Params> prune(Architecture a, Path source, FmnistInputs train, FmnistInputs test,
                                               Params p, Path out, Consumer<TrainingLoop.Epoch> log)
            throws IOException, OrtException {
        Whitebox.checkData(train, test, a);
        Path sourceOnnx = source.resolve("model.onnx");
        OnnxModels.checkFile(sourceOnnx, "prune source");
        long start = System.nanoTime();
        try (Model model = FashionMnistTrainer.load(a, source)) {
            Network net = (Network) model.getBlock();
            Map<String, Parameter> pruned = prunable(net);
            TrainingLoop.Run run;
            try (Masks masks = new Masks(pruned, model.getNDManager())) {
                FashionMnistTrainer.Options o = p.training();
                int ramp = (int) Math.ceil(stepCount(train, o) * p.rampShare());
                run = TrainingLoop.run(model, net.inputShape(o.batchSize()), train, test, o,
                        Loss.softmaxCrossEntropyLoss(), null, (step, total) -> {
                            if (step <= ramp && (step % p.updateEvery() == 0 || step == ramp)) {
                                masks.update(scheduled(p.sparsity(), step, ramp));
                            }
                            masks.apply();
                        }, out.resolve("checkpoint"), OPERATOR, log);
                // a run shorter than its ramp (a smoke run) still ends at the target
                masks.update(p.sparsity());
                masks.apply();
            }
            Whitebox.Export e = Whitebox.exportChecked(model, net, test, out, 1);
            Details d = measure(OnnxModels.load(e.onnx()), pruned.keySet());
            return new TrainedVariant<>(OPERATOR, e.onnx(), a, a.cost(), a.cost(), p, run.epochs(), e.accuracyDjl(),
                    e.accuracyOnnx(), e.maxAbsLogitDiff(), OnnxModels.sha256(sourceOnnx), train.sha256(), test.sha256(),
                    run.nanos() / 1e9, (System.nanoTime() - start) / 1e9, run.checkpoint(), d);
        }
    }

    static int stepCount(FmnistInputs train, FashionMnistTrainer.Options o) {
        int n = Math.min(o.trainLimit(), train.size());
        int steps = (n + o.batchSize() - 1) / o.batchSize() * o.epochs();
        return o.maxSteps() > 0 ? Math.min(o.maxSteps(), steps) : steps;
    }

    /** The convolution weights inside the residual units, by exported Conv name. */
    static Map<String, Parameter> prunable(Network net) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        OnnxExporter.convs(net).forEach((name, cb) -> {
            if (!cb.equals(net.stem())) {
                out.put(name, cb.conv().getParameters().get("weight"));
            }
        });
        return out;
    }

    /** Zeros per pruned layer, counted in the exported model's folded weights (zeros survive batch-norm folding). */
    static Details measure(OnnxMl.ModelProto model, Iterable<String> layers) {
        Map<String, OnnxMl.TensorProto> inits = new LinkedHashMap<>();
        model.getGraph().getInitializerList().forEach(t -> inits.put(t.getName(), t));
        List<LayerSparsity> out = new ArrayList<>();
        long all = 0;
        long zeros = 0;
        for (String layer : layers) {
            OnnxMl.TensorProto t = inits.get(layer + ".weight");
            if (t == null) {
                throw new IllegalStateException("exported model has no initializer " + layer + ".weight");
            }
            float[] w = Tensors.toFloats(t);
            long z = IntStream.range(0, w.length).filter(i -> w[i] == 0f).count();
            out.add(new LayerSparsity(layer, w.length, z, z / (double) w.length));
            all += w.length;
            zeros += z;
        }
        return new Details(out, zeros / (double) Math.max(1, all), List.of("stem.conv", "fc"));
    }

    /** One 0/1 mask per pruned weight, kept next to the weights on the model's manager. */
    static final class Masks implements AutoCloseable {
        private final Map<String, Parameter> weights;
        private final NDManager manager;
        private final Map<String, NDArray> masks = new LinkedHashMap<>();

        Masks(Map<String, Parameter> weights, NDManager parent) {
            this.weights = weights;
            this.manager = parent.newSubManager();
        }

        /**
         * Zeroes the {@code round(sparsity * n)} smallest-magnitude weights of every layer (exactly that
         * many: ties broken by position). Already-pruned weights are 0 and so stay pruned.
         */
        void update(double sparsity) {
            for (Map.Entry<String, Parameter> e : weights.entrySet()) {
                float[] w = e.getValue().getArray().toFloatArray();
                float[] m = mask(w, (int) Math.round(sparsity * w.length));
                NDArray old = masks.put(e.getKey(), manager.create(m, e.getValue().getArray().getShape()));
                if (old != null) {
                    old.close();
                }
            }
        }

        /** 0 at the {@code k} smallest magnitudes of {@code w} (ties at the threshold: the first ones), 1 elsewhere. */
        static float[] mask(float[] w, int k) {
            float[] m = new float[w.length];
            Arrays.fill(m, 1f);
            if (k == 0) {
                return m;
            }
            float[] abs = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                abs[i] = Math.abs(w[i]);
            }
            float[] sorted = abs.clone();
            Arrays.sort(sorted);
            float threshold = sorted[k - 1];
            int below = 0;
            for (float a : abs) {
                below += a < threshold ? 1 : 0;
            }
            int ties = k - below;
            for (int i = 0; i < w.length; i++) {
                if (abs[i] < threshold || (abs[i] == threshold && ties-- > 0)) {
                    m[i] = 0f;
                }
            }
            return m;
        }

        /** Multiplies every weight by its mask in place (the live parameter array). */
        void apply() {
            for (Map.Entry<String, NDArray> e : masks.entrySet()) {
                weights.get(e.getKey()).getArray().muli(e.getValue());
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
