package org.tiermark.runtime;

import java.util.Objects;
import org.tiermark.tier.ComputeEmulation;
import org.tiermark.tier.LinkCost;

/** The two independent choices of how a deployment's costs enter a measured call: links and tier compute. */
public record Costs(LinkCost link, ComputeEmulation compute) {
    /** Links free and every tier at this machine's speed: what a raw ONNX Runtime loop does. */
    public static final Costs NONE = new Costs(LinkCost.OFF, ComputeEmulation.NONE);
    /** Links waited for and compute stretched to each tier's speed: the default of the benchmarks. */
    public static final Costs SIMULATED = new Costs(LinkCost.SIMULATED, ComputeEmulation.STRETCH);
    /**
     * Links are kernel-shaped veth pairs between namespaces: nothing waited; compute in this process (the
     * origin's) stretched, stages on tier agents held by their cgroup quotas instead.
     */
    public static final Costs EMULATED = new Costs(LinkCost.EMULATED, ComputeEmulation.STRETCH);
    /** Links are the network to the tier profiles' endpoints: nothing waited; compute in this process stretched. */
    public static final Costs REMOTE = new Costs(LinkCost.REMOTE, ComputeEmulation.STRETCH);

    public Costs {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(compute, "compute");
    }
}
