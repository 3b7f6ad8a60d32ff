package org.tiermark.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.tier.LinkDelay;
import org.tiermark.tier.LinkProfile;

/**
 * The links of a load run, shared by all its clients: each link and direction serializes one payload
 * at a time, first come first served, so a payload sent while another is on the wire starts after it.
 * Propagation (half the round trip) and jitter do not queue. Times are computed from the
 * {@link LinkDelay} model, not waited: the caller schedules on the returned instant. A direction's shaper bucket
 * ({@link LinkDelay.Buckets}) refills while it idles, so a payload after a pause passes its credit at line rate and
 * one queued behind another gets none.
 *
 * <p>Shared, not per client, because the clients of one edge tier are phones behind the same access
 * point (one radio channel: the studies' 200 Mbit/s WLAN) and the edge has one uplink to the cloud;
 * per-client links would let 16 phones push 16 x 200 Mbit/s into one box. Each direction is its own
 * queue, as {@code tc tbf} shapes each direction of a link on its own.
 */
public final class SharedLinks {
    private final Map<String, Long> freeAtNanos = new HashMap<>();
    private final LinkDelay.Jitter jitter = new LinkDelay.Jitter();
    private final LinkDelay.Buckets buckets = new LinkDelay.Buckets();

    /**
     * When {@code bytes} sent at {@code sentAtNanos} from tier {@code from} over {@code route} arrive,
     * each link of the route paid in turn (store and forward), behind what the link is still sending.
     */
    public synchronized long arrivalNanos(List<LinkProfile> route, String from, long bytes, long sentAtNanos) {
        long t = sentAtNanos;
        String at = from;
        for (LinkProfile link : route) {
            String key = link.name() + "@" + at;
            double unit = link.jitterMs() > 0 ? jitter.next(link) : 0;
            long start = Math.max(t, freeAtNanos.getOrDefault(key, Long.MIN_VALUE));
            long idle = buckets.idleNanos(link, at, start);
            // the link is busy for the bytes its credit does not cover
            long busyNanos = Math.round((LinkDelay.shapedBytes(link, bytes) - LinkDelay.creditBytes(link, bytes, idle)) * 8e3
                    / link.bandwidthMbps());
            freeAtNanos.put(key, start + busyNanos);
            buckets.sent(link, at, bytes, start, idle);
            t = start + LinkDelay.transferNanos(link, bytes, unit, idle);
            at = link.other(at);
        }
        return t;
    }

    /** Forgets what the links were sending: a new load level starts on idle links. */
    public synchronized void reset() {
        freeAtNanos.clear();
        buckets.reset();
    }
}
