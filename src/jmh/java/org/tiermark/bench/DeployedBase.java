package org.tiermark.bench;

import org.openjdk.jmh.annotations.Param;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LinkDelayModel;

/** The parameters of one matrix cell ({@code model x operator x deployment}) and how its links cost time. */
public abstract class DeployedBase extends BenchmarkBase {
    @Param({"identity"})
    public String operator;

    @Param({"edge"})
    public String deployment;

    @Param({"simulated"})
    public String linkDelay;

    /** A runner of this cell's variant on its deployment. */
    protected DeploymentRunner openRunner() throws Exception {
        return suite.runner(model, operator, deployment, LinkDelayModel.parse(linkDelay));
    }
}
