package org.tiermark.report;

import java.util.Locale;
import java.util.Map;

/**
 * The one place where the report names what it knows of deployment measurements: the parameters
 * that lay out trade-off tables (model x operator x deployment), the operator every other is set
 * against, and the benchmark whose cells make the headline table. Target checks know no benchmark
 * (they come from {@code targets.json}).
 */
final class DeploymentParams {
    /** The headline table's benchmark: one request through a deployment. */
    static final String HEADLINE_BENCHMARK = "DeploymentBenchmark.request";
    static final String MODEL = "model";
    static final String OPERATOR = "operator";
    static final String DEPLOYMENT = "deployment";
    /** The unchanged model: speed-ups and accuracy deltas are against it. */
    static final String IDENTITY = "identity";

    /** What each known benchmark measures, in words; others are named from their class and method. */
    private static final Map<String, String> BENCHMARK_WORDS = Map.of(
            HEADLINE_BENCHMARK, "end-to-end request",
            "ColdStartBenchmark.sessionAndFirstRequest", "cold start (session and first request)");

    private DeploymentParams() {}

    /** {@code DeploymentBenchmark.request} as "end-to-end request"; an unknown one split into words. */
    static String benchmarkInWords(String benchmark) {
        String known = BENCHMARK_WORDS.get(benchmark);
        if (known != null) {
            return known;
        }
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
