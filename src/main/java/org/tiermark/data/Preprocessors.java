package org.tiermark.data;

import ai.onnxruntime.OrtEnvironment;
import org.tiermark.model.Catalog;
import org.tiermark.model.ModelDescriptor.InputSpec;

/** Builds the preprocessor and the raw input pool a catalog model's descriptor asks for. */
public final class Preprocessors {
    private Preprocessors() {}

    public static Preprocessor create(Catalog.Model model, OrtEnvironment env) {
        InputSpec in = model.descriptor().input();
        return switch (in.kind()) {
            case "text" -> new TextPreprocessor(env, model.tokenizer(), in.sequenceLength());
            case "image" -> new ImagePreprocessor(env, in);
            default -> throw new IllegalStateException("validated in InputSpec: " + in.kind());
        };
    }

    public static InputPool pool(Catalog.Model model, int limit) {
        return switch (model.descriptor().input().kind()) {
            case "text" -> InputPool.textLines(model.pool(), limit);
            case "image" -> InputPool.imageFiles(model.pool(), limit);
            default -> throw new IllegalStateException("validated in InputSpec");
        };
    }
}
