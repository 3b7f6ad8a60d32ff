package org.tiermark.runtime;

import org.tiermark.tier.Names;

/**
 * The benchmarks' {@code linkDelay} parameter: a name for a pair of {@link Costs}, the one place the
 * old single switch is mapped onto the two choices, so cells named {@code simulated}/{@code off} keep
 * measuring what they always did.
 * <ul>
 *   <li>{@code simulated}: links waited for ({@code LinkCost.SIMULATED}), compute stretched
 *       ({@code ComputeEmulation.STRETCH});</li>
 *   <li>{@code off}: links free and tiers at machine speed ({@link Costs#NONE}); payloads are still
 *       serialized. This is what the harness-overhead comparison with a raw ONNX Runtime loop uses.</li>
 * </ul>
 */
public enum LinkDelayModel {
    SIMULATED(Costs.SIMULATED), OFF(Costs.NONE);

    private final Costs costs;

    LinkDelayModel(Costs costs) {
        this.costs = costs;
    }

    public Costs costs() {
        return costs;
    }

    public String id() {
        return Names.id(this);
    }

    public static LinkDelayModel parse(String value) {
        return Names.parse(LinkDelayModel.class, value, "link-delay model");
    }
}
