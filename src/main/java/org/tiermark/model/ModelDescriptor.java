package org.tiermark.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import org.tiermark.tier.Names;

/**
 * One model of the catalog, as loaded from {@code models/<name>.json}. Paths are relative to the
 * folder of the descriptor.
 *
 * @param name             the model's name, also its file name (e.g. {@code minilm-l6})
 * @param task             what it does, in words (e.g. {@code text-embedding}, {@code image-classification})
 * @param source           where its weights come from (a pinned package, or the command that trains it)
 * @param onnx             the base model's ONNX file
 * @param input            what a raw input is and how it becomes tensors
 * @param pool             raw inputs the benchmarks cycle through (text: one input per line)
 * @param operatorDefaults default operator parameters (e.g. {@code partition.cut}, {@code early-exit.depth})
 * @param metric           the accuracy metric in words (e.g. {@code top-1 accuracy}, {@code F1 (spam)})
 * @param data             where the evaluation data come from (package, version, split)
 * @param calibration      raw inputs for {@code sptq} calibration, in the pool's format; disjoint from evaluation data
 * @param evaluation       how accuracy is computed; absent when the model has no labelled data
 * @param role             {@value #DEPLOYMENT} (default): a model of the deployment matrix; {@value #REFERENCE}: a
 *                         model only benchmarks and targets name (e.g. for pure model latency), in no matrix
 * @param published        variants published by the model's makers, ready-made: a name (used where an operator
 *                         is named, e.g. {@code published-int8}) to its ONNX file
 */
public record ModelDescriptor(
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) String task,
        String source,
        @JsonProperty(required = true) String onnx,
        @JsonProperty(required = true) InputSpec input,
        @JsonProperty(required = true) String pool,
        Map<String, String> operatorDefaults,
        String metric,
        String data,
        String calibration,
        EvaluationSpec evaluation,
        String role,
        Map<String, String> published) {
    public static final String DEPLOYMENT = "deployment";
    public static final String REFERENCE = "reference";

    public ModelDescriptor {
        Names.check("name", name);
        if (onnx == null || onnx.isBlank()) {
            throw new IllegalArgumentException("field 'onnx': the path of the model's ONNX file is required");
        }
        source = source == null ? "" : source;
        operatorDefaults = operatorDefaults == null ? Map.of() : Map.copyOf(operatorDefaults);
        metric = metric == null ? "" : metric;
        data = data == null ? "" : data;
        calibration = calibration == null || calibration.isBlank() ? pool : calibration;
        role = role == null ? DEPLOYMENT : role;
        if (!role.equals(DEPLOYMENT) && !role.equals(REFERENCE)) {
            throw new IllegalArgumentException("field 'role': '" + DEPLOYMENT + "' (in the deployment matrix, the default) or '"
                    + REFERENCE + "' (named by benchmarks and targets only) (got '" + role + "')");
        }
        published = published == null ? Map.of() : Map.copyOf(published);
        published.forEach((variant, file) -> {
            Names.check("published", variant);
            if (file == null || file.isBlank()) {
                throw new IllegalArgumentException("field 'published." + variant + "': the path of its ONNX file is required");
            }
        });
    }

    /** True for a model of the deployment matrix, false for a reference model. */
    public boolean inMatrix() {
        return role.equals(DEPLOYMENT);
    }

    /**
     * Labelled evaluation sets of a model.
     *
     * @param kind    {@code classification} (top-1 accuracy), {@code binary-f1} (F1 of the positive class),
     *                {@code text-detection} (mean IoU of the thresholded map, F1 of boxes)
     * @param small   the 100-sample subset, as the studies used
     * @param large   the larger subset (>= 1000 samples where the data allow)
     * @param classes class names in label order (classification and binary-f1)
     */
    public record EvaluationSpec(
            @JsonProperty(required = true) String kind,
            @JsonProperty(required = true) String small,
            String large,
            java.util.List<String> classes) {
        public EvaluationSpec {
            if (!java.util.List.of("classification", "binary-f1", "text-detection").contains(kind)) {
                throw new IllegalArgumentException("field 'evaluation.kind': must be classification, binary-f1 or "
                        + "text-detection (got '" + kind + "')");
            }
            classes = classes == null ? java.util.List.of() : java.util.List.copyOf(classes);
        }
    }

    /**
     * How raw inputs become tensors.
     *
     * @param kind           {@code text} (UTF-8, tokenized) or {@code image} (encoded PNG/JPEG, decoded and resized)
     * @param tokenizer      text: HuggingFace {@code tokenizer.json}
     * @param sequenceLength text: tokens per input, padded and truncated to exactly this many
     * @param width          image: model input width
     * @param height         image: model input height
     * @param channels       image: 1 (grey) or 3 (RGB)
     * @param mean           image: per-channel mean subtracted after scaling to [0, 1]
     * @param std            image: per-channel standard deviation divided by
     * @param tensor         image: the name of the model's input tensor
     */
    public record InputSpec(
            @JsonProperty(required = true) String kind,
            String tokenizer,
            int sequenceLength,
            int width,
            int height,
            int channels,
            double[] mean,
            double[] std,
            String tensor) {

        public InputSpec {
            switch (kind == null ? "" : kind) {
                case "text" -> {
                    if (tokenizer == null || tokenizer.isBlank()) {
                        throw new IllegalArgumentException("field 'input.tokenizer': text input needs a tokenizer.json path");
                    }
                    if (sequenceLength < 1 || sequenceLength > 8192) {
                        throw new IllegalArgumentException("field 'input.sequenceLength': must be 1..8192 (got " + sequenceLength + ")");
                    }
                }
                case "image" -> {
                    if (width < 1 || height < 1) {
                        throw new IllegalArgumentException("fields 'input.width'/'input.height': must be >= 1");
                    }
                    if (channels != 1 && channels != 3) {
                        throw new IllegalArgumentException("field 'input.channels': must be 1 or 3 (got " + channels + ")");
                    }
                    if (mean == null || std == null || mean.length != channels || std.length != channels) {
                        throw new IllegalArgumentException("fields 'input.mean'/'input.std': need one number per channel (" + channels + ")");
                    }
                    if (tensor == null || tensor.isBlank()) {
                        throw new IllegalArgumentException("field 'input.tensor': the name of the model's image input is required");
                    }
                }
                default -> throw new IllegalArgumentException("field 'input.kind': must be 'text' or 'image' (got '" + kind + "')");
            }
        }
    }
}
