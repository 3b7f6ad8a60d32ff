package org.tiermark.tier;


/**
 * How a tier's compute speed is emulated on the measuring machine. {@code stretch}: each compute
 * step is timed and then lengthened, inside the call, to {@code 1 / relativeSpeed} of its time, so it
 * can only emulate tiers no faster than this machine; {@code none}: every tier runs at this
 * machine's speed. Throttling a real process group ({@code cgroup}) is a future choice.
 */
public enum ComputeEmulation {
    STRETCH, NONE;

    public String id() {
        return Names.id(this);
    }

    /** The wait to add after compute that took {@code measuredNanos} here, to last as long as on {@code tier}. */
    public long extraNanos(TierProfile tier, long measuredNanos) {
        return this == STRETCH ? Math.max(0, tier.stretchedNanos(measuredNanos) - measuredNanos) : 0;
    }

    public static ComputeEmulation parse(String value) {
        return Names.parse(ComputeEmulation.class, value, "compute emulation");
    }
}
