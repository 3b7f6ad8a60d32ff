package org.tiermark.train.text;

import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.OpsetUpgrade;
import org.tiermark.onnx.OrtRuns;
import org.tiermark.operator.Sptq;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.train.Qat;

/**
 * {@code qat} for the text classifiers: the encoder and its head fine-tuned on the labels (as
 * {@link TextFinetune}, embedding tables frozen) with straight-through fake quantization at exactly
 * the tensors sptq quantizes in the graph ({@link TextFakeQuant}: every linear weight per output
 * channel int8, every linear layer's input uint8 with a moving-average range; attention scores,
 * residuals and LayerNorms in float). Exported by writing the weights into a copy of the graph and
 * rewriting it with sptq's own QDQ rewrite and the learned ranges instead of calibrated ones, so that
 * ONNX Runtime runs the same integer kernels as for {@code sptq}.
 */
public final class TextQat extends TextTrainer {
    /**
     * Largest logit difference between the fake-quantized network in DJL and the exported QDQ model in
     * ONNX Runtime, per unit of the largest |logit|: integer kernels sum in another order than float
     * fake quantization, so an activation near a rounding boundary may land one step away, and six
     * layers carry that on (0.023 measured at initialisation on 7 e-mails). A wrong export (a range on
     * the wrong tensor, weights not written) is far off: the float network differs from the QDQ model by
     * 0.38 there.
     */
    static final double EXPORT_TOLERANCE = 0.1;

    /** Default budget: half an epoch of minilm-spam's 4811 training texts at batch 16 (see docs/operators.md). */
    static final int MAX_STEPS = 150;

    public TextQat() {
        super(Qat.OPERATOR, 1, 2e-5, Map.of(Qat.OPERATOR + ".text-max-steps", Integer.toString(MAX_STEPS)));
    }

    /** Version 2: the head stays float, as sptq version 2 keeps a graph's output layer (version 1 fake-quantized it). */
    @Override
    public int version() {
        return 2;
    }

    @Override
    void validateOwn(Map<String, String> params, VariantBuilder.Source source) {
        OnnxMl.ModelProto model = load(source.onnx());
        if (BertWeights.layers(model) == 0) {
            throw new InvalidInputException(source.model() + ": no encoder layers (/encoder/layer.N/): qat trains BERT encoders");
        }
        if (!model.getGraph().getNodeList().stream().anyMatch(n -> n.getName().equals("head/Gemm"))) {
            throw new InvalidInputException(source.model() + ": no classification head (head/Gemm) to train with the labels");
        }
    }

    @Override
    Plan plan(BertWeights source, OnnxMl.ModelProto sourceModel, NDManager manager, Map<String, String> params,
              TokenizedTexts data, OrtEnvironment env, Path work) {
        BertClassifier network = BertClassifier.of(source, manager);
        network.freezeEmbeddingTables();
        TextFakeQuant fakeQuant = new TextFakeQuant(TextFakeQuant.inputTensors(sourceModel, source.config().layers()));
        network.quantizer(fakeQuant);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("trained", "encoder layers, embedding LayerNorm and head; embedding tables frozen");
        details.put("loss", "softmax cross-entropy on the labels");
        details.put("fakeQuantized", "every encoder linear weight per output channel int8 symmetric (rounded half up, as sptq), "
                + "every encoder linear layer's input uint8 asymmetric (rounded half to even, as QuantizeLinear); the head float, as sptq keeps it");
        details.put("rangeMomentum", TextFakeQuant.MOMENTUM);
        return new Plan(network, Loss.softmaxCrossEntropyLoss(), null, null, details, null,
                (exported, d) -> quantize(env, exported, fakeQuant.ranges(), work, d), EXPORT_TOLERANCE);
    }

    /** sptq's QDQ rewrite of the float export with {@code ranges}; records ranges, ops and fused kernels. */
    static OnnxMl.ModelProto quantize(OrtEnvironment env, OnnxMl.ModelProto exported, Map<String, float[]> ranges, Path work,
                                      Map<String, Object> details) throws Exception {
        Sptq.Result r = Sptq.applyWithRanges(prepare(env, exported), ranges, Set.of());
        // on disk for ONNX Runtime's optimizer only: the trained-model cache keeps the returned model
        Path file = work.resolve("qat-fused-kernels.onnx");
        AtomicFiles.write(file, r.model().toByteArray());
        try {
            details.put("fusedKernels", Qat.integerKernels(OrtRuns.optimizedOpCounts(env, file)));
        } finally {
            Files.deleteIfExists(file);
        }
        Map<String, List<Float>> learned = new LinkedHashMap<>();
        ranges.forEach((k, v) -> learned.put(k, List.of(v[0], v[1])));
        details.put("ranges", learned);
        details.put("quantizedOps", r.quantizedOps());
        details.put("floatKept", r.floatKept().size() + " nodes, e.g. the attention score MatMuls");
        return r.model();
    }

    /**
     * The export as sptq reads a model: constants as initializers, opset >= 13 (per-channel
     * DequantizeLinear), the Softmax inputs' ranks for the upgrade from one probe of a tiny input.
     */
    static OnnxMl.ModelProto prepare(OrtEnvironment env, OnnxMl.ModelProto model) throws OrtException {
        OnnxMl.ModelProto m = OnnxModels.constantsToInitializers(model);
        List<String> wanted = OpsetUpgrade.softmaxInputsNeedingRank(m);
        Map<String, Integer> ranks = new HashMap<>();
        if (!wanted.isEmpty()) {
            try (var options = OrtRuns.probeOptions();
                 OrtSession s = OrtRuns.session(env, OnnxGraph.withOutputs(m, wanted), options, "qat rank probe")) {
                Map<String, OnnxTensor> in = BertExport.probeInput(env, new OnnxGraph(m).inputs().keySet());
                try {
                    OrtRuns.probe(env, s, in, wanted, (name, value) -> ranks.put(name, value.getInfo().getShape().length));
                } finally {
                    in.values().forEach(OnnxTensor::close);
                }
            }
        }
        return OpsetUpgrade.toAtLeast13(m, ranks);
    }
}
