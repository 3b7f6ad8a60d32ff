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
 *   <li>{@code emulated}: stages off the origin run on tier agents in network namespaces joined by
 *       tbf-shaped links (emulation/EmulatedTiers); the bytes cross those links, nothing is waited, and the
 *       agents' compute is held by their cgroup CPU quotas. What still runs in this process (the origin's
 *       stages and preprocessing) is stretched as in {@code simulated}.</li>
 *   <li>{@code remote}: as {@code emulated}, with the stages served at the endpoints the tier profiles name.</li>
 * </ul>
 * Which of these a suite run measures is chosen per run ({@code --links}, {@code -Dtiermark.links}).
 */
public enum LinkDelayModel {
    SIMULATED(Costs.SIMULATED), OFF(Costs.NONE), EMULATED(Costs.EMULATED), REMOTE(Costs.REMOTE);

    private final Costs costs;

    LinkDelayModel(Costs costs) {
        this.costs = costs;
    }

    /** True when stages run on real tiers reached over a real network ({@code emulated}, {@code remote}). */
    public boolean real() {
        return costs.link().real();
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
