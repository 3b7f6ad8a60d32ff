package org.tiermark.emulation;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The checks every {@link ModelClient} makes against the model's metadata: before sending, and of the answer. */
final class ClientChecks {
    private ClientChecks() {}

    /** Null if every input fits the metadata, else what is wrong (prefixed "refused to send: "). */
    static String inputProblem(Oip.ModelMetadata metadata, Collection<NamedTensor> inputs) {
        for (NamedTensor t : inputs) {
            Oip.TensorSpec spec = metadata.input(t.name());
            String problem = spec == null ? "the model has no input '" + t.name() + "'; inputs: " + metadata.inputs()
                    : spec.mismatch(t);
            if (problem != null) {
                return "refused to send: " + problem;
            }
        }
        return null;
    }

    /** The answered tensors by name; an undeclared, mismatched or missing output throws, naming it. */
    static Map<String, NamedTensor> answer(Oip.ModelMetadata metadata, Collection<NamedTensor> answered) {
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        for (NamedTensor t : answered) {
            Oip.TensorSpec spec = metadata.output(t.name());
            if (spec == null) {
                throw new IllegalArgumentException("answered an output '" + t.name()
                        + "' the metadata does not declare; outputs: " + metadata.outputs());
            }
            String problem = spec.mismatch(t);
            if (problem != null) {
                throw new IllegalArgumentException("answered " + problem);
            }
            out.put(t.name(), t);
        }
        for (Oip.TensorSpec spec : metadata.outputs()) {
            if (!out.containsKey(spec.name())) {
                throw new IllegalArgumentException("the answer lacks output '" + spec.name() + "'");
            }
        }
        return out;
    }
}
