package org.tiermark.train;

import ai.djl.Model;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.tiermark.AtomicFiles;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.OrtRuns;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.InputSamples;
import org.tiermark.operator.Sptq;

/**
 * The {@code qat} operator for tiermark's CNNs: fine-tunes the trained model with fake quantization at
 * exactly the tensors sptq quantizes ({@link QatNetwork}), then exports it through sptq's own QDQ rewrite
 * with the activation ranges learned in training instead of calibrated ones, so that ONNX Runtime runs
 * the same integer kernels as for {@code sptq}. Training starts from sptq's own model: the ranges begin
 * as sptq's calibrated ones (the suite's 100 calibration images), and the fake-quantized network's
 * logits before the first step are compared with ONNX Runtime's on sptq's QDQ model (recorded), so
 * that what qat gains over sptq is what its training adds. sptq's model is evaluated on the same test
 * images for comparison.
 */
public final class Qat {
    /** Name of the operator, as in the variant's manifest. */
    public static final String OPERATOR = "qat";
    /** @param training fine-tuning epochs, learning rate (low: the weights are already trained), seed, limits */
    public record Params(FashionMnistTrainer.Options training) {
        /** One full epoch (469 steps of 128 images) with Adam from 1e-4, cosine decay. */
        public static Params defaults() {
            return new Params(FashionMnistTrainer.Options.defaults(1, 1).withLearningRate(1e-4f));
        }
    }

    /**
     * @param ranges        learned {@code [min, max]} per quantized activation (by exported tensor name)
     * @param quantizedOps  ops sptq's plan quantized, by type
     * @param fusedKernels  integer kernels ONNX Runtime fused the QDQ model into (all optimizations on)
     * @param sptqAccuracy  top-1 of the source model quantized by sptq with calibration, same test images
     * @param sourceAccuracy top-1 of the FP32 source model, same test images
     * @param startAccuracy top-1 of the fake-quantized network before training (DJL, sptq's calibrated
     *                      ranges): sptq's model as training sees it
     * @param startMaxAbsLogitDiffToSptq largest |DJL before training - ONNX Runtime on sptq's model| logit
     *                      difference on the test images (rounding inside the integer kernels)
     * @param startPredictionsDifferingFromSptq test images whose predicted class differs between the two
     */
    public record Details(Map<String, float[]> ranges, Map<String, Integer> quantizedOps,
                          Map<String, Integer> fusedKernels, double sptqAccuracy, double sourceAccuracy,
                          double startAccuracy, double startMaxAbsLogitDiffToSptq, int startPredictionsDifferingFromSptq) {}

    private Qat() {}

    /**
     * Fine-tunes the model whose DJL parameters and {@code model.onnx} are in {@code source} with fake
     * quantization, writes the QDQ model to {@code out/model.onnx} and keeps the DJL parameters in
     * {@code out/checkpoint}.
     */
    public static TrainedVariant<Params> qat(Architecture a, Path source, FmnistInputs train, FmnistInputs test,
                                             Params p, Path out, Consumer<TrainingLoop.Epoch> log)
            throws IOException, OrtException {
        Whitebox.checkData(train, test, a);
        Path sourceOnnx = source.resolve("model.onnx");
        OnnxModels.checkFile(sourceOnnx, "qat source");
        long start = System.nanoTime();
        try (Model model = FashionMnistTrainer.load(a, source)) {
            return qat(a, model, sourceOnnx, train, test, p, out, log, start);
        }
    }

    /**
     * Fine-tunes the network of {@code model} (of architecture {@code a}, its ONNX export in {@code sourceOnnx})
     * as {@link #qat(Architecture, Path, FmnistInputs, FmnistInputs, Params, Path, Consumer)} does: the entry
     * for a network a training step made ({@link OnnxNetwork}), whose DJL parameters are not kept.
     */
    static TrainedVariant<Params> qat(Architecture a, Model model, Path sourceOnnx, FmnistInputs train, FmnistInputs test,
                                      Params p, Path out, Consumer<TrainingLoop.Epoch> log) throws IOException, OrtException {
        Whitebox.checkData(train, test, a);
        OnnxModels.checkFile(sourceOnnx, "qat source");
        return qat(a, model, sourceOnnx, train, test, p, out, log, System.nanoTime());
    }

    private static TrainedVariant<Params> qat(Architecture a, Model model, Path sourceOnnx, FmnistInputs train, FmnistInputs test,
                                              Params p, Path out, Consumer<TrainingLoop.Epoch> log, long start)
            throws IOException, OrtException {
        OrtEnvironment env = Sessions.environment();
        Network net = (Network) model.getBlock();
        QatNetwork qat = new QatNetwork(net);
        model.setBlock(qat);
        InputSamples calibration = Whitebox.calibration(train);
        OnnxMl.ModelProto sourceModel = OnnxModels.load(sourceOnnx);
        Sptq.Result calibrated = Sptq.apply(env, sourceModel, calibration, Sptq.Params.defaults());
        Path sptqFile = out.resolve("sptq-reference.onnx");
        AtomicFiles.write(sptqFile, calibrated.model().toByteArray());
        float[][] sptqLogits = OnnxLogits.of(sptqFile, test, 500, 1);
        qat.startFrom(Sptq.calibratedRanges(env, sourceModel, calibration, Sptq.Params.defaults()), needed(net));
        float[][] before = TrainingLoop.logits(qat, model.getNDManager(), test);
        System.out.printf("qat start (sptq's ranges, before training): top-1 %.4f in DJL, sptq's model %.4f in ONNX Runtime; "
                + "max |logit diff| %.3f, %d predictions differ%n", OnnxLogits.accuracy(before, test),
                OnnxLogits.accuracy(sptqLogits, test), OnnxLogits.maxAbsDiff(before, sptqLogits), differing(before, sptqLogits));
        TrainingLoop.Run run = TrainingLoop.run(model, net.inputShape(p.training().batchSize()), train, test,
                p.training(), Loss.softmaxCrossEntropyLoss(), null, null,
                out.resolve("checkpoint"), OPERATOR, log);
        OnnxMl.ModelProto fp32 = OnnxExporter.export(net);
        Sptq.Result q = Sptq.applyWithRanges(fp32, qat.ranges(), Set.of());
        Path onnx = out.resolve("model.onnx");
        AtomicFiles.write(onnx, q.model().toByteArray());
        float[][] djl = TrainingLoop.logits(qat, model.getNDManager(), test);
        float[][] ort = OnnxLogits.of(onnx, test, 500, 1);
        double sourceAccuracy = OnnxLogits.accuracy(OnnxLogits.of(sourceOnnx, test, 500, 1), test);
        Details d = new Details(qat.ranges(), q.quantizedOps(), integerKernels(OrtRuns.optimizedOpCounts(env, onnx)),
                OnnxLogits.accuracy(sptqLogits, test), sourceAccuracy, OnnxLogits.accuracy(before, test),
                OnnxLogits.maxAbsDiff(before, sptqLogits), differing(before, sptqLogits));
        return new TrainedVariant<>(OPERATOR, onnx, a, a.cost(), a.cost(), p, run.epochs(),
                OnnxLogits.accuracy(djl, test), OnnxLogits.accuracy(ort, test), OnnxLogits.maxAbsDiff(djl, ort),
                OnnxModels.sha256(sourceOnnx), train.sha256(), test.sha256(), run.nanos() / 1e9,
                (System.nanoTime() - start) / 1e9, run.checkpoint(), d);
    }

    /** How many rows of {@code a} and {@code b} have a different largest logit. */
    static int differing(float[][] a, float[][] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += argmax(a[i]) != argmax(b[i]) ? 1 : 0;
        }
        return n;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The fake-quantized tensor names: what {@link Sptq#rangeTensors} asks for on {@code net}'s export. */
    static Set<String> needed(Network net) {
        return new HashSet<>(Sptq.rangeTensors(OnnxExporter.export(net), Set.of()));
    }

    /** The integer kernels (QLinear*, QGemm, *Integer*, Nhwc*) among ONNX Runtime's optimized op counts. */
    public static Map<String, Integer> integerKernels(Map<String, Integer> ops) {
        Map<String, Integer> out = new TreeMap<>();
        ops.forEach((k, v) -> {
            String o = k.contains(":") ? k.substring(k.indexOf(':') + 1) : k;
            if (o.startsWith("QLinear") || o.startsWith("Nhwc") || o.equals("QGemm") || o.contains("Integer")) {
                out.put(k, v);
            }
        });
        return out;
    }
}
