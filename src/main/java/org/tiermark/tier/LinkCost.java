package org.tiermark.tier;

import java.util.List;

/**
 * How a link costs time in a measured call. {@code simulated}: each hop waits, inside the call, the
 * time {@link LinkDelay} computes for the payload's measured size; {@code off}: links cost nothing
 * (payloads are still serialized). Real kernel-shaped networks ({@code emulated}) and real hosts
 * ({@code remote}) are future choices, in which the bytes cross a real link and nothing is waited.
 */
public enum LinkCost {
    SIMULATED, OFF;

    public String id() {
        return Names.id(this);
    }

    /** Nanoseconds to wait for {@code bytes} over {@code links}; 0 when links cost nothing. */
    public long transferNanos(List<LinkProfile> links, long bytes, LinkDelay.Jitter jitter) {
        return this == SIMULATED ? LinkDelay.transferNanos(links, bytes, jitter) : 0;
    }

    public static LinkCost parse(String value) {
        return Names.parse(LinkCost.class, value, "link cost");
    }
}
