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
import org.tiermark.operator.Sptq;

/**
 * The {@code qat} operator for tiermark's CNNs: fine-tunes the trained model with fake quantization at
 * exactly the tensors sptq quantizes ({@link QatNetwork}), then exports it through sptq's own QDQ rewrite
 * with the activation ranges learned in training instead of calibrated ones, so that ONNX Runtime runs
 * the same integer kernels as for {@code sptq}. For comparison the source model is also quantized by
 * sptq with calibration (the suite's 100 calibration images) and evaluated on the same test images.
 */
public final class Qat {
    /** Name of the operator, as in the variant's manifest. */
    public static final String OPERATOR = "qat";
    /** @param training fine-tuning epochs, learning rate (low: the weights are already trained), seed, limits */
    public record Params(FashionMnistTrainer.Options training) {
        /** One epoch with Adam from 1e-4. */
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
     */
    public record Details(Map<String, float[]> ranges, Map<String, Integer> quantizedOps,
                          Map<String, Integer> fusedKernels, double sptqAccuracy, double sourceAccuracy) {}

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
        OrtEnvironment env = Sessions.environment();
        try (Model model = FashionMnistTrainer.load(a, source)) {
            Network net = (Network) model.getBlock();
            QatNetwork qat = new QatNetwork(net);
            model.setBlock(qat);
            TrainingLoop.Run run = TrainingLoop.run(model, net.inputShape(p.training().batchSize()), train, test,
                    p.training(), Loss.softmaxCrossEntropyLoss(), null, null,
                    out.resolve("checkpoint"), OPERATOR, log);
            OnnxMl.ModelProto fp32 = OnnxExporter.export(net);
            Sptq.Result q = Sptq.applyWithRanges(fp32, qat.ranges(), Set.of());
            Path onnx = out.resolve("model.onnx");
            AtomicFiles.write(onnx, q.model().toByteArray());
            float[][] djl = TrainingLoop.logits(qat, model.getNDManager(), test);
            float[][] ort = OnnxLogits.of(onnx, test, 500, 1);
            Sptq.Result calibrated = Sptq.apply(env, OnnxModels.load(sourceOnnx), Whitebox.calibration(train), Sptq.Params.defaults());
            Path sptqFile = out.resolve("sptq-reference.onnx");
            AtomicFiles.write(sptqFile, calibrated.model().toByteArray());
            double sptqAccuracy = OnnxLogits.accuracy(OnnxLogits.of(sptqFile, test, 500, 1), test);
            double sourceAccuracy = OnnxLogits.accuracy(OnnxLogits.of(sourceOnnx, test, 500, 1), test);
            Details d = new Details(qat.ranges(), q.quantizedOps(), integerKernels(OrtRuns.optimizedOpCounts(env, onnx)),
                    sptqAccuracy, sourceAccuracy);
            return new TrainedVariant<>(OPERATOR, onnx, a, a.cost(), a.cost(), p, run.epochs(),
                    OnnxLogits.accuracy(djl, test), OnnxLogits.accuracy(ort, test), OnnxLogits.maxAbsDiff(djl, ort),
                    OnnxModels.sha256(sourceOnnx), train.sha256(), test.sha256(), run.nanos() / 1e9,
                    (System.nanoTime() - start) / 1e9, run.checkpoint(), d);
        }
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
