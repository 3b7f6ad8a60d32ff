package org.tiermark.tier;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated link-delay model: a pure function from bytes crossing a link to nanoseconds,
 * {@code rtt/2 + (wireBytes - credit) * 8 / bandwidth + messageOverhead + connection + jitter}, calibrated against
 * tbf-shaped links ({@link LinkCalibration}; docs/emulation.md has the measurements). wireBytes adds each TCP segment's
 * headers; messageOverhead is the sockets' own cost per message; connection is 0 on a kept connection, and for a connection
 * per request the handshake's round trip and packets, the slow-start rounds and the fitted setup cost. credit is what the
 * link's shaper bucket ({@link LinkCalibration#burstBytes()}) passes at line rate after the link idled:
 * {@code min(burst, bytes on the wire, rate x idle)} ({@link #creditBytes}); {@link Buckets} keeps each direction's idle
 * time for callers that send one message after another.
 *
 * <p>A hop over several links pays each link in turn (store and forward): a tier on the way relays whole
 * messages, as the studies' services and tiermark's agents do (docs/emulation.md, "What a hop through a
 * tier means", measures relayed against IP-routed).
 */
public final class LinkDelay {
    private LinkDelay() {}

    /**
     * Nanoseconds for {@code bytes} to cross {@code link} once, on a link that idled long enough to refill its bucket.
     *
     * @param jitterUnit a number in [0, 1) drawn by the caller; the jitter added is {@code jitterUnit * jitterMs}
     */
    public static long transferNanos(LinkProfile link, long bytes, double jitterUnit) {
        return transferNanos(link, bytes, jitterUnit, Long.MAX_VALUE);
    }

    /**
     * Nanoseconds for {@code bytes} to cross {@code link} once after the link's direction idled {@code idleNanos}
     * ({@link Buckets#idleNanos}; {@link Long#MAX_VALUE}: long enough to refill).
     *
     * @param jitterUnit a number in [0, 1) drawn by the caller; the jitter added is {@code jitterUnit * jitterMs}
     */
    public static long transferNanos(LinkProfile link, long bytes, double jitterUnit, long idleNanos) {
        if (idleNanos < 0) {
            throw new IllegalArgumentException("idleNanos must be >= 0 (got " + idleNanos + ")");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0 (got " + bytes + ")");
        }
        if (!(jitterUnit >= 0 && jitterUnit < 1)) {
            throw new IllegalArgumentException("jitterUnit must be in [0, 1) (got " + jitterUnit + ")");
        }
        double halfRttNanos = link.rttMs() * 1e6 / 2;
        double jitterNanos = jitterUnit * link.jitterMs() * 1e6;
        double messageNanos = link.calibration().messageOverheadMs() * 1e6;
        double creditNanos = creditBytes(link, bytes, idleNanos) * 8e3 / link.bandwidthMbps();
        return Math.round(halfRttNanos + serializationNanos(link, bytes) - creditNanos + messageNanos + connectionNanos(link, bytes)
                + jitterNanos);
    }

    /**
     * Bytes of this message the link's bucket passes at line rate: {@code min(burstBytes, shaped bytes, rate x refill)}.
     * The shaped bytes are the message's wire bytes and, on a new connection, its handshake's
     * ({@link LinkCalibration#handshakeWireBytes()}: they draw on the bucket first). refill is {@code idleNanos}, and on a
     * new connection one round trip more: the data follows the handshake's round trip, during which the bucket refills
     * too. 0 for a link without a shaper ({@code burstBytes} 0).
     */
    public static double creditBytes(LinkProfile link, long bytes, long idleNanos) {
        LinkCalibration c = link.calibration();
        if (c.burstBytes() == 0) {
            return 0;
        }
        return Math.min(c.burstBytes(), Math.min(shapedBytes(link, bytes), refilledBytes(link, idleNanos)));
    }

    /** What the bucket holds after {@code idleNanos} (plus a new connection's handshake round trip), before its cap. */
    private static double refilledBytes(LinkProfile link, long idleNanos) {
        if (idleNanos == Long.MAX_VALUE) {
            return Double.POSITIVE_INFINITY;
        }
        double refillNanos = idleNanos + (link.calibration().newConnection() ? link.rttMs() * 1e6 : 0);
        return link.bandwidthMbps() * 1e6 / 8 * refillNanos / 1e9;
    }

    /** Bytes the link's shaper passes for this message: its wire bytes and, on a new connection, its handshake's. */
    public static long shapedBytes(LinkProfile link, long bytes) {
        LinkCalibration c = link.calibration();
        return c.wireBytes(bytes) + (c.newConnection() ? c.handshakeWireBytes() : 0);
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

    /**
     * Nanoseconds for {@code bytes} sent from tier {@code from} at {@code startNanos} to cross every link of a route in
     * turn, each link's direction credited for the time it idled ({@code buckets}, which records this message),
     * drawing jitter from {@code jitter}.
     */
    public static long transferNanos(List<LinkProfile> route, String from, long bytes, Jitter jitter, Buckets buckets,
                                     long startNanos) {
        long total = 0;
        String at = from;
        for (LinkProfile link : route) {
            long start = startNanos + total;
            long idle = buckets.idleNanos(link, at, start);
            total += transferNanos(link, bytes, link.jitterMs() > 0 ? jitter.next(link) : 0, idle);
            buckets.sent(link, at, bytes, start, idle);
            at = link.other(at);
        }
        return total;
    }

    /** Nanoseconds for {@code bytes} to cross every link of a route, each idle long enough to refill, drawing jitter from {@code jitter}. */
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

    /**
     * Each link direction's bucket over a sequence of messages, for callers that send one after another (the simulated
     * runner, shared links under load). A direction's idle time is how long its bucket has refilled: the time since the
     * bucket was last empty, which is when the previous message's bytes beyond its credit had passed at the link's rate
     * (a message that its credit covered leaves tokens, counted as that much earlier an empty bucket); a direction that
     * never carried a message is idle long enough to be full. Directions are keyed by link and sending tier, as tbf
     * shapes each end on its own.
     */
    public static final class Buckets {
        private final Map<String, Long> emptyAtNanos = new HashMap<>();

        /** How long {@code link}'s direction from tier {@code from} has refilled at {@code startNanos}; {@link Long#MAX_VALUE}: full. */
        public long idleNanos(LinkProfile link, String from, long startNanos) {
            Long emptyAt = emptyAtNanos.get(key(link, from));
            return emptyAt == null ? Long.MAX_VALUE : Math.max(0, startNanos - emptyAt);
        }

        /**
         * Records that {@code bytes} were sent at {@code startNanos} from {@code from} after the direction idled
         * {@code idleNanos}: the bucket held {@code min(burst, rate x refill)} ({@link #creditBytes} before the cap at the
         * message's size) and is empty again once the shaped bytes beyond it have passed, after a new connection's
         * handshake round trip.
         */
        public void sent(LinkProfile link, String from, long bytes, long startNanos, long idleNanos) {
            LinkCalibration c = link.calibration();
            if (c.burstBytes() == 0) {
                return;
            }
            double heldBytes = Math.min(c.burstBytes(), refilledBytes(link, idleNanos));
            double bytesPerNano = link.bandwidthMbps() * 1e6 / 8 / 1e9;
            double handshakeNanos = c.newConnection() ? link.rttMs() * 1e6 : 0;
            emptyAtNanos.put(key(link, from), Math.round(startNanos + handshakeNanos + (shapedBytes(link, bytes) - heldBytes) / bytesPerNano));
        }

        /** Forgets every direction's history: all links idle long enough to be full. */
        public void reset() {
            emptyAtNanos.clear();
        }

        private static String key(LinkProfile link, String from) {
            return link.name() + "@" + from;
        }
    }
}
