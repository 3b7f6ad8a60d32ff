package org.tiermark;

import ai.onnxruntime.OrtEnvironment;
import org.tiermark.data.ImageFormat;
import org.tiermark.data.ImagePreprocessor;
import org.tiermark.data.InputPool;
import org.tiermark.data.Preprocessor;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.model.Catalog;
import org.tiermark.model.ModelDescriptor.InputSpec;

/**
 * Builds the preprocessor and the raw input pool a catalog model's descriptor asks for. It joins
 * {@code model} (the descriptor) to {@code data} (the readers), so it lives above both and neither
 * imports the other.
 */
public final class Preprocessors {
    private Preprocessors() {}

    public static Preprocessor create(Catalog.Model model, OrtEnvironment env) {
        InputSpec in = model.descriptor().input();
        return switch (in.kind()) {
            case "text" -> new TextPreprocessor(env, model.tokenizer(), in.sequenceLength());
            case "image" -> new ImagePreprocessor(env, imageFormat(in));
            default -> throw new IllegalStateException("validated in InputSpec: " + in.kind());
        };
    }

    /** The image format of an image model's input section. */
    public static ImageFormat imageFormat(InputSpec in) {
        return new ImageFormat(in.width(), in.height(), in.channels(), in.mean(), in.std(), in.tensor());
    }

    public static InputPool pool(Catalog.Model model, int limit) {
        return switch (model.descriptor().input().kind()) {
            case "text" -> InputPool.textLines(model.pool(), limit);
            case "image" -> InputPool.imageFiles(model.pool(), limit);
            default -> throw new IllegalStateException("validated in InputSpec");
        };
    }

    /**
     * Checks, before anything is measured, that the model's pool has inputs and, for an image model,
     * that each of the first {@code limit} decodes; the error names the file.
     */
    public static void checkPool(Catalog.Model model, int limit) {
        switch (model.descriptor().input().kind()) {
            case "text" -> InputPool.checkTextLines(model.pool());
            case "image" -> InputPool.checkImageFiles(model.pool(), limit);
            default -> throw new IllegalStateException("validated in InputSpec");
        }
    }
}
