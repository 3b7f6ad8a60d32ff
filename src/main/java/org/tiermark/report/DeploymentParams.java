package org.tiermark.report;

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
}
