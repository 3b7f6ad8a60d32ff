package org.tiermark.tier;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.tiermark.InvalidInputException;

/**
 * How a link costs time in a measured call. {@code simulated}: each hop waits, inside the call, the
 * time {@link LinkDelay} computes for the payload's measured size; {@code off}: links cost nothing
 * (payloads are still serialized). Real kernel-shaped networks ({@code emulated}) and real hosts
 * ({@code remote}) are future choices, in which the bytes cross a real link and nothing is waited.
 */
public enum LinkCost {
    SIMULATED, OFF;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Nanoseconds to wait for {@code bytes} over {@code links}; 0 when links cost nothing. */
    public long transferNanos(List<LinkProfile> links, long bytes, LinkDelay.Jitter jitter) {
        return this == SIMULATED ? LinkDelay.transferNanos(links, bytes, jitter) : 0;
    }

    public static LinkCost parse(String value) {
        for (LinkCost c : values()) {
            if (c.id().equals(value)) {
                return c;
            }
        }
        throw new InvalidInputException("unknown link cost '" + value + "'; valid: "
                + Arrays.stream(values()).map(LinkCost::id).collect(Collectors.joining(", ")));
    }
}
