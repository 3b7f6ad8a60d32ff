package org.tiermark.operator;

import java.util.Map;

/** An operator step whose word, version and parameter defaults are fixed at construction. */
public abstract class NamedStep implements OperatorStep {
    private final String word;
    private final int version;
    private final Map<String, String> parameters;

    protected NamedStep(String word, int version, Map<String, String> parameters) {
        for (String k : parameters.keySet()) {
            if (!k.startsWith(word + ".")) {
                throw new IllegalArgumentException("step " + word + ": parameter '" + k + "' must start with '" + word + ".'");
            }
        }
        this.word = word;
        this.version = version;
        this.parameters = Map.copyOf(parameters);
    }

    @Override
    public final String word() {
        return word;
    }

    @Override
    public final int version() {
        return version;
    }

    @Override
    public final Map<String, String> parameters() {
        return parameters;
    }
}
