package org.tiermark.train.text;

import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tiermark.InvalidInputException;
import org.tiermark.operator.VariantBuilder;

/**
 * {@code prune-channels} for the text classifiers: the feed-forward width of every encoder layer cut
 * by {@code prune-channels.sparsity} (default 0.5: 1536 -> 768 units in MiniLM), keeping the units
 * whose up-projection weights have the largest L1 norm, then fine-tuned on the labels. The exported
 * model is really smaller: its intermediate MatMuls are narrower.
 */
public final class TextChannelPruning extends TextTrainer {
    public TextChannelPruning() {
        super("prune-channels", 1, 5e-5, Map.of("prune-channels.sparsity", "0.5"));
    }

    @Override
    public Optional<String> notApplicable(VariantBuilder.Source source) {
        Optional<String> why = super.notApplicable(source);
        if (why.isPresent()) {
            return why;
        }
        if (!BertWeights.hasFeedForward(load(source.onnx()))) {
            return Optional.of("prune-channels (text): " + source.model() + " has no feed-forward layers to narrow (no "
                    + "/encoder/layer.0/intermediate/dense/MatMul)");
        }
        return Optional.empty();
    }

    @Override
    void validateOwn(Map<String, String> params, VariantBuilder.Source source) {
        double s = doubleParam(params, "sparsity");
        if (!(s >= 0 && s < 1)) {
            throw new InvalidInputException("prune-channels.sparsity: the share of feed-forward units removed must be in [0, 1)"
                    + " (got " + s + ")");
        }
    }

    @Override
    Plan plan(BertWeights source, OnnxMl.ModelProto sourceModel, NDManager manager, Map<String, String> params,
              TokenizedTexts data, OrtEnvironment env, Path work) {
        double sparsity = doubleParam(params, "sparsity");
        Students.Narrowed n = Students.narrowFeedForward(source, sparsity, manager);
        n.classifier().freezeEmbeddingTables();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("feedForwardWidth", Map.of("from", source.config().ffn(), "to", n.classifier().config().ffn()));
        details.put("criterion", "L1 norm of each unit's up-projection weights, per layer");
        int s = data.sequence();
        details.put("layerMultiplyAddsRatio", n.classifier().config().layerMultiplyAddsPerToken(s)
                / (double) source.config().layerMultiplyAddsPerToken(s));
        details.put("loss", "softmax cross-entropy on the labels; embedding tables frozen");
        return new Plan(n.classifier(), Loss.softmaxCrossEntropyLoss(), null, null, details, null);
    }
}
