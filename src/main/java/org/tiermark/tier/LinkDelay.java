package org.tiermark.tier;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated link-delay model: a pure function from bytes crossing a link to nanoseconds,
 * {@code rtt/2 + wireBytes * 8 / bandwidth + messageOverhead + connection + jitter}, calibrated against tbf-shaped links
 * ({@link LinkCalibration}; docs/emulation.md has the measurements). wireBytes adds each TCP segment's
 * headers; messageOverhead is the sockets' own cost per message; connection is 0 on a kept connection, and for a connection per request the handshake's round
 * trip and packets, the slow-start rounds and the fitted setup cost.
 *
 * <p>A hop over several links pays each link in turn (store and forward): a tier on the way relays whole
 * messages, as the studies' services and tiermark's agents do (docs/emulation.md, "What a hop through a
 * tier means", measures relayed against IP-routed).
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
        double jitterNanos = jitterUnit * link.jitterMs() * 1e6;
        double messageNanos = link.calibration().messageOverheadMs() * 1e6;
        return Math.round(halfRttNanos + serializationNanos(link, bytes) + messageNanos + connectionNanos(link, bytes) + jitterNanos);
    }

    /** Nanoseconds the link's bandwidth needs for {@code bytes} of payload and their headers. */
    public static double serializationNanos(LinkProfile link, long bytes) {
        return link.calibration().wireBytes(bytes) * 8e3 / link.bandwidthMbps();
    }

    /**
     * What a new connection adds to sending {@code bytes}: nothing on a kept connection; otherwise the
     * handshake (one round trip before the first data, and the wire time of its SYN, SYN-ACK and ACK:
     * {@link LinkCalibration#handshakeWireBytes()}), the fitted setup cost, and each slow-start round whose
     * window does not yet fill the link (the sender waits for ACKs: a round trip less the round's own
     * serialization), starting from the initial window and doubling per round. Linux's receiver does not hold
     * these rounds back: its first window (65,160 bytes from {@code tcp_rmem}'s 131,072) and its growth stayed
     * ahead of the doubling congestion window in every round traced (docs/emulation.md).
     */
    public static double connectionNanos(LinkProfile link, long bytes) {
        LinkCalibration c = link.calibration();
        if (!c.newConnection()) {
            return 0;
        }
        double rttNanos = link.rttMs() * 1e6;
        double total = rttNanos + c.handshakeWireBytes() * 8e3 / link.bandwidthMbps() + c.connectionSetupMs() * 1e6;
        int segment = c.segmentBytes() == 0 ? LinkCalibration.DEFAULT.segmentBytes() : c.segmentBytes();
        long left = (bytes + segment - 1) / segment;
        double frameNanos = c.wireBytes(segment) * 8e3 / link.bandwidthMbps();
        for (long window = c.initialWindowSegments(); left > window && rttNanos > 0; window *= 2) {
            double roundNanos = window * frameNanos;
            if (roundNanos >= rttNanos) {
                break;
            }
            total += rttNanos - roundNanos;
            left -= window;
        }
        return total;
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
