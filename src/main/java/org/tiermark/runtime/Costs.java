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

    public Costs {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(compute, "compute");
    }
}
