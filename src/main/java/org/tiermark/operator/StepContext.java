package org.tiermark.operator;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.Shapes;

/**
 * What a step may use besides its source model: the ONNX Runtime environment, the build source
 * (model name and descriptor, calibration and held-out samples), the parameters in effect, the
 * tensors later steps need kept readable, and the tensors this step pinned earlier.
 *
 * @param neededLater tensors of this step's source that later steps read (a renaming step keeps them)
 * @param pinned      tensors this step asked for earlier, under the names they carry now
 */
public record StepContext(OrtEnvironment env, VariantBuilder.Source source, Map<String, String> params,
                          Set<String> neededLater, List<String> pinned) {
    public StepContext {
        params = Map.copyOf(params);
        neededLater = Set.copyOf(neededLater);
        pinned = List.copyOf(pinned);
    }

    public String param(String key) {
        String v = params.get(key);
        if (v == null) {
            throw new IllegalStateException("parameter '" + key + "' was not declared by its step");
        }
        return v.strip();
    }

    public int intParam(String key) {
        return Params.parseInt(key, param(key));
    }

    public double doubleParam(String key) {
        return Params.parseDouble(key, param(key));
    }

    /** Shapes and element types of every tensor of {@code g}, from one run of the first held-out sample. */
    public Map<String, Shapes.Info> probe(OnnxGraph g) throws OrtException {
        InputSamples s = source.heldOut().size() > 0 ? source.heldOut() : source.calibration();
        Map<String, OnnxTensor> in = s.get(env, 0);
        try {
            return Shapes.probe(env, g, in);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** Parsing of parameter values with errors that name the key. */
    static final class Params {
        private Params() {}

        static int parseInt(String key, String value) {
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("operator parameter '" + key + "' must be an integer (got '" + value + "')");
            }
        }

        static double parseDouble(String key, String value) {
            try {
                return Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("operator parameter '" + key + "' must be a number (got '" + value + "')");
            }
        }
    }
}
