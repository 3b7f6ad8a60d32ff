package org.tiermark.model;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import org.tiermark.InvalidInputException;
import org.tiermark.model.ModelDescriptor.InputSpec;

/**
 * Checks that an image model's ONNX input is what its descriptor says (tensor name, channels, height,
 * width), so that a mismatch fails when the catalog is loaded, not inside a measured run.
 */
final class ImageInputCheck {
    private ImageInputCheck() {}

    static void check(Catalog.Model model) {
        InputSpec spec = model.descriptor().input();
        OnnxMl.GraphProto graph;
        try (InputStream in = Files.newInputStream(model.onnx())) {
            graph = OnnxMl.ModelProto.parseFrom(in).getGraph();
        } catch (IOException e) {
            throw InvalidInputException.field(model.file(), "onnx", "cannot parse " + model.onnx() + ": " + e.getMessage());
        }
        List<String> initializers = graph.getInitializerList().stream().map(OnnxMl.TensorProto::getName).toList();
        List<OnnxMl.ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(v -> !initializers.contains(v.getName())).toList();
        OnnxMl.ValueInfoProto input = inputs.stream().filter(v -> v.getName().equals(spec.tensor())).findFirst()
                .orElseThrow(() -> InvalidInputException.field(model.file(), "input.tensor", "the ONNX model "
                        + model.onnx() + " has no input '" + spec.tensor() + "'; its inputs: "
                        + inputs.stream().map(OnnxMl.ValueInfoProto::getName).toList()));
        List<OnnxMl.TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
        if (dims.size() != 4) {
            throw InvalidInputException.field(model.file(), "input.tensor", "the ONNX input '" + spec.tensor()
                    + "' has " + dims.size() + " dimensions; an image model takes [batch, channels, height, width]");
        }
        expect(model, "input.channels", dims.get(1), spec.channels());
        expect(model, "input.height", dims.get(2), spec.height());
        expect(model, "input.width", dims.get(3), spec.width());
    }

    private static void expect(Catalog.Model model, String field, OnnxMl.TensorShapeProto.Dimension dim, int declared) {
        if (dim.hasDimValue() && dim.getDimValue() != declared) {
            throw InvalidInputException.field(model.file(), field, "the descriptor says " + declared + " but the ONNX model "
                    + model.onnx() + " takes " + dim.getDimValue());
        }
    }
}
