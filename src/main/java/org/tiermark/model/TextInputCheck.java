package org.tiermark.model;

import ai.onnx.proto.OnnxMl;
import java.util.OptionalLong;
import org.tiermark.InvalidInputException;

/**
 * What a BERT-family graph allows as input length: the rows of its position-embedding table. A
 * longer {@code sequenceLength} would index past the table inside ONNX Runtime, in the middle of a
 * measured run.
 */
final class TextInputCheck {
    private TextInputCheck() {}

    /** Rows of the graph's position-embedding initializer, when it has one. */
    static OptionalLong maxPositions(OnnxMl.GraphProto graph) {
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            if (t.getName().contains("position_embeddings") && t.getDimsCount() == 2) {
                return OptionalLong.of(t.getDims(0));
            }
        }
        return OptionalLong.empty();
    }

    static void check(Catalog.Model model, OnnxMl.GraphProto graph) {
        int length = model.descriptor().input().sequenceLength();
        OptionalLong max = maxPositions(graph);
        if (max.isPresent() && length > max.getAsLong()) {
            throw InvalidInputException.field(model.file(), "input.sequenceLength", "must be 1.."
                    + max.getAsLong() + ": the position embeddings of " + model.onnx() + " hold " + max.getAsLong()
                    + " positions (got " + length + ")");
        }
    }
}
