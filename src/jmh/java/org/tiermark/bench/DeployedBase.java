package org.tiermark.bench;

import java.io.IOException;
import java.time.Duration;
import org.openjdk.jmh.annotations.Param;
import org.tiermark.InvalidInputException;
import org.tiermark.emulation.EmulatedTiers;
import org.tiermark.emulation.RemoteTiers;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LinkDelayModel;

/** The parameters of one matrix cell ({@code model x operator x deployment}) and how its links cost time. */
public abstract class DeployedBase extends BenchmarkBase {
    /** How long one request to a stage on a real tier may take before the benchmark fails. */
    private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(60);

    @Param({"identity"})
    public String operator;

    @Param({"edge"})
    public String deployment;

    /** {@code simulated}, {@code off}, {@code emulated} or {@code remote} (see {@link LinkDelayModel}). */
    @Param({"simulated"})
    public String linkDelay;

    private EmulatedTiers tiers;

    /** A runner of this cell's variant on its deployment, every stage in this process (simulated or off links). */
    protected DeploymentRunner openRunner() throws Exception {
        return suite.runner(model, operator, deployment, LinkDelayModel.parse(linkDelay));
    }

    /**
     * A runner of this cell's variant on its deployment, with the stages off the origin on real tiers when the
     * links are {@code emulated} (the namespaces, links and agents are built here, once per trial: close them with
     * {@link #closeTiers()}) or {@code remote}; as {@link #openRunner()} otherwise.
     */
    protected DeploymentRunner openRunnerOnTiers() throws Exception {
        LinkDelayModel links = LinkDelayModel.parse(linkDelay);
        if (!links.real()) {
            return openRunner();
        }
        String unsupported = EmulatedTiers.unsupported(suite.profiles().deployment(deployment));
        if (unsupported != null) {
            throw new InvalidInputException("linkDelay=" + linkDelay + ": " + unsupported);
        }
        Variant variant = suite.variants().get(model, operator);
        if (links == LinkDelayModel.REMOTE) {
            return suite.runner(model, operator, deployment, links.costs(),
                    RemoteTiers.opener(Sessions.environment(), suite.profiles(), variant, REMOTE_TIMEOUT));
        }
        tiers = EmulatedTiers.open(suite.home(), suite.profiles(), suite.profiles().deployment(deployment), variant, REMOTE_TIMEOUT);
        try {
            BenchmarkFiles.writeEmulation(getClass(), model + "." + operator + "." + deployment, tiers.describe());
            return suite.runner(model, operator, deployment, links.costs(), tiers.opener(Sessions.environment(), variant, REMOTE_TIMEOUT));
        } catch (IOException | RuntimeException e) {
            closeTiers();
            throw e;
        }
    }

    /** Removes what {@link #openRunnerOnTiers()} built for emulated links, if anything. */
    protected void closeTiers() {
        if (tiers != null) {
            tiers.close();
            tiers = null;
        }
    }
}
