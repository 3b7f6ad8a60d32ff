package org.tiermark.report;

import java.util.Locale;

/**
 * The one place where the report names what it knows of deployment measurements: the parameters
 * that lay out trade-off tables (model x operator x deployment) and the operator every other is set
 * against. It knows no benchmark: the headline table's comes from {@code benchmarks.json}, target
 * checks from {@code targets.json}.
 */
final class DeploymentParams {
    static final String MODEL = "model";
    static final String OPERATOR = "operator";
    static final String DEPLOYMENT = "deployment";
    /** The unchanged model: speed-ups and accuracy deltas are against it. */
    static final String IDENTITY = "identity";

    private DeploymentParams() {}

    /** A benchmark's {@code Class.method} in words, e.g. "cold start session and first request". */
    static String benchmarkInWords(String benchmark) {
        return benchmark.replace("Benchmark.", " ").replace('.', ' ').replaceAll("([a-z0-9])([A-Z])", "$1 $2")
                .toLowerCase(Locale.ROOT).replace('-', ' ').trim();
    }

    /** A fixed param in words: {@code linkDelay=simulated} as "simulated links", others as "value (name)". */
    static String paramInWords(String name, String value) {
        if (name.equals("linkDelay")) {
            return value + " links";
        }
        return name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT) + " " + value;
    }
}
