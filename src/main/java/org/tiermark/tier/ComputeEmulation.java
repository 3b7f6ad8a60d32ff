package org.tiermark.tier;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.tiermark.InvalidInputException;

/**
 * How a tier's compute speed is emulated on the measuring machine. {@code stretch}: each compute
 * step is timed and then lengthened, inside the call, to {@code 1 / relativeSpeed} of its time, so it
 * can only emulate tiers no faster than this machine; {@code none}: every tier runs at this
 * machine's speed. Throttling a real process group ({@code cgroup}) is a future choice.
 */
public enum ComputeEmulation {
    STRETCH, NONE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The wait to add after compute that took {@code measuredNanos} here, to last as long as on {@code tier}. */
    public long extraNanos(TierProfile tier, long measuredNanos) {
        return this == STRETCH ? Math.max(0, tier.stretchedNanos(measuredNanos) - measuredNanos) : 0;
    }

    public static ComputeEmulation parse(String value) {
        for (ComputeEmulation c : values()) {
            if (c.id().equals(value)) {
                return c;
            }
        }
        throw new InvalidInputException("unknown compute emulation '" + value + "'; valid: "
                + Arrays.stream(values()).map(ComputeEmulation::id).collect(Collectors.joining(", ")));
    }
}
