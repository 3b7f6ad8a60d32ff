package org.tiermark.emulation;

import java.net.URI;

/** A remote inference that failed; the message names the endpoint and the model, and says what went wrong. */
public class InferenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InferenceException(URI endpoint, String model, String problem, Throwable cause) {
        super("model '" + model + "' at " + endpoint + ": " + problem, cause);
    }
}
