package org.tiermark.data;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.util.Map;

/**
 * Turns one raw input (UTF-8 text, encoded image bytes) into a model's input tensors. It runs on
 * the tier of the first stage and is timed there. Implementations reuse direct buffers, so the
 * tensors of one call must be closed before the next call.
 */
public interface Preprocessor extends AutoCloseable {
    /** The input tensors for {@code raw}; the caller closes them. */
    Map<String, OnnxTensor> prepare(byte[] raw) throws OrtException;

    @Override
    void close();
}
