package org.tiermark.report;

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

    private DeploymentParams() {}
}
