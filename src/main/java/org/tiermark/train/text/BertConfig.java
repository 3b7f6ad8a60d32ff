package org.tiermark.train.text;

import org.tiermark.InvalidInputException;

/**
 * The shape of a BERT sentence classifier as read from its graph.
 *
 * @param layers   encoder layers
 * @param hidden   model width
 * @param heads    attention heads
 * @param ffn      feed-forward (intermediate) width of every layer
 * @param eps      LayerNorm epsilon
 * @param maskBias what the graph adds to the attention score of a padding token
 * @param classes  outputs of the classification head
 */
public record BertConfig(int layers, int hidden, int heads, int ffn, float eps, float maskBias, int classes) {
    public BertConfig {
        if (layers < 1 || hidden < 1 || heads < 1 || hidden % heads != 0 || ffn < 1 || classes < 2) {
            throw new InvalidInputException("BERT config: layers " + layers + ", hidden " + hidden + ", heads " + heads
                    + ", ffn " + ffn + ", classes " + classes + " (all positive, heads dividing hidden, >= 2 classes)");
        }
        if (!(eps > 0)) {
            throw new InvalidInputException("BERT config: LayerNorm epsilon must be > 0 (got " + eps + ")");
        }
    }

    public BertConfig withLayers(int n) {
        return new BertConfig(n, hidden, heads, ffn, eps, maskBias, classes);
    }

    public BertConfig withFfn(int width) {
        return new BertConfig(layers, hidden, heads, width, eps, maskBias, classes);
    }

    /** Multiply-adds of the encoder layers per token at sequence length {@code s} (embeddings and head are tiny). */
    public long layerMultiplyAddsPerToken(int s) {
        long linear = 4L * hidden * hidden + 2L * hidden * ffn;
        long attention = 2L * s * hidden;
        return layers * (linear + attention);
    }
}
