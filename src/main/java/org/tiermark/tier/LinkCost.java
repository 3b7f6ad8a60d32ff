package org.tiermark.tier;

/**
 * How a link costs time in a measured call. {@code simulated}: each hop waits, inside the call, the
 * time {@link LinkDelay} computes for the payload's measured size (each link direction's bucket credited
 * for the real time it idled: {@link LinkDelay.Buckets}); {@code off}: links cost nothing
 * (payloads are still serialized); {@code emulated} (kernel-shaped links between network namespaces
 * on this machine) and {@code remote} (real hosts named by the tier profiles' endpoints): the bytes
 * cross a real link inside the call, so nothing is waited.
 */
public enum LinkCost {
    SIMULATED, OFF, EMULATED, REMOTE;

    public String id() {
        return Names.id(this);
    }

    /** True when bytes cross a real network and the call's wall time already holds the transfer. */
    public boolean real() {
        return this == EMULATED || this == REMOTE;
    }

    public static LinkCost parse(String value) {
        return Names.parse(LinkCost.class, value, "link cost");
    }
}
