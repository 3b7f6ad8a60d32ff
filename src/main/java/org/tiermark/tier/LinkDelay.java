package org.tiermark.tier;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated link-delay model: a pure function from bytes crossing a link to nanoseconds,
 * {@code rtt/2 + bytes * 8 / bandwidth + jitter}. A hop over several links pays each link in turn
 * (store and forward).
 */
public final class LinkDelay {
    private LinkDelay() {}

    /**
     * Nanoseconds for {@code bytes} to cross {@code link} once.
     *
     * @param jitterUnit a number in [0, 1) drawn by the caller; the jitter added is {@code jitterUnit * jitterMs}
     */
    public static long transferNanos(LinkProfile link, long bytes, double jitterUnit) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0 (got " + bytes + ")");
        }
        if (!(jitterUnit >= 0 && jitterUnit < 1)) {
            throw new IllegalArgumentException("jitterUnit must be in [0, 1) (got " + jitterUnit + ")");
        }
        double halfRttNanos = link.rttMs() * 1e6 / 2;
        double serializationNanos = bytes * 8.0 / (link.bandwidthMbps() * 1e6) * 1e9;
        double jitterNanos = jitterUnit * link.jitterMs() * 1e6;
        return Math.round(halfRttNanos + serializationNanos + jitterNanos);
    }

    /** Nanoseconds for {@code bytes} to cross every link of a route, drawing jitter from {@code jitter}. */
    public static long transferNanos(List<LinkProfile> route, long bytes, Jitter jitter) {
        long total = 0;
        for (LinkProfile link : route) {
            total += transferNanos(link, bytes, link.jitterMs() > 0 ? jitter.next(link) : 0);
        }
        return total;
    }

    /** Seeded jitter: one independent stream per link, so adding a link does not change another's draws. */
    public static final class Jitter {
        private final Map<String, SplittableRandom> streams = new HashMap<>();

        public double next(LinkProfile link) {
            return streams.computeIfAbsent(link.name(), n -> new SplittableRandom(link.jitterSeed())).nextDouble();
        }
    }
}
