package org.tiermark.train.text;

import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Path;
import java.util.Map;
import org.tiermark.operator.VariantBuilder;

/**
 * {@code finetune}: the text classifier's encoder fine-tuned together with its head on the labels
 * (cross-entropy), the FP32 reference the white-box operators are also compared with (identity has a
 * frozen encoder and a trained head, so a fine-tuned student may beat it). The embedding tables stay
 * frozen: most of the parameters, little of the benefit, and a dense Adam update of 30k x 384 per step.
 */
public final class TextFinetune extends TextTrainer {
    public TextFinetune() {
        super("finetune", 1, 3e-5, Map.of());
    }

    @Override
    void validateOwn(Map<String, String> params, VariantBuilder.Source source) {
        // only the training parameters, checked by the caller
    }

    @Override
    Plan plan(BertWeights source, OnnxMl.ModelProto sourceModel, NDManager manager, Map<String, String> params,
              TokenizedTexts data, OrtEnvironment env, Path work) {
        BertClassifier network = BertClassifier.of(source, manager);
        network.freezeEmbeddingTables();
        return new Plan(network, Loss.softmaxCrossEntropyLoss(), null, null,
                Map.of("trained", "encoder layers, embedding LayerNorm and head; embedding tables frozen",
                        "loss", "softmax cross-entropy on the labels"), null);
    }
}
