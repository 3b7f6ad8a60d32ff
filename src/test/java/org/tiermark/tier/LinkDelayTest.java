package org.tiermark.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinkDelayTest {
    static LinkProfile link(double mbps, double rttMs, double jitterMs, long seed) {
        return new LinkProfile("l", "mobile", "edge", mbps, rttMs, jitterMs, seed, null);
    }

    @Test
    void halfTheRoundTripPlusBitsOverBandwidth() {
        // 1 Mbit/s: 125,000 bytes are 1,000,000 bits = 1 s; plus half of a 20 ms RTT
        assertEquals(1_010_000_000L, LinkDelay.transferNanos(link(1, 20, 0, 0), 125_000, 0));
        // 200 Mbit/s: a 1x1024x14x14 float tensor (802,816 bytes) takes 32.11 ms
        assertEquals(32_112_640L, LinkDelay.transferNanos(link(200, 0, 0, 0), 802_816, 0));
        assertEquals(500_000L, LinkDelay.transferNanos(link(200, 1, 0, 0), 0, 0));
    }

    @Test
    void jitterAddsUpToItsBoundAndRepeatsWithItsSeed() {
        LinkProfile l = link(100, 0, 5, 42);
        assertEquals(LinkDelay.transferNanos(l, 1000, 0) + 2_500_000, LinkDelay.transferNanos(l, 1000, 0.5));
        LinkDelay.Jitter a = new LinkDelay.Jitter();
        LinkDelay.Jitter b = new LinkDelay.Jitter();
        long base = LinkDelay.transferNanos(l, 1000, 0);
        long first = LinkDelay.transferNanos(List.of(l), 1000, a);
        for (int i = 0; i < 1000; i++) {
            long v = LinkDelay.transferNanos(List.of(l), 1000, b);
            assertTrue(v >= base && v < base + 5_000_000, "jitter within [0, 5 ms): " + v);
            if (i == 0) {
                assertEquals(first, v, "same seed, same draws");
            }
        }
        LinkDelay.Jitter c = new LinkDelay.Jitter();
        assertNotEquals(LinkDelay.transferNanos(List.of(link(100, 0, 5, 43)), 1000, c), first, "another seed, other draws");
    }

    @Test
    void aRoutePaysEveryLink() {
        LinkProfile wlan = link(200, 1, 0, 0);
        LinkProfile wan = new LinkProfile("wan", "edge", "cloud", 1, 20, 0, 0, null);
        long bytes = 10_000;
        assertEquals(LinkDelay.transferNanos(wlan, bytes, 0) + LinkDelay.transferNanos(wan, bytes, 0),
                LinkDelay.transferNanos(List.of(wlan, wan), bytes, new LinkDelay.Jitter()));
        assertEquals(0, LinkDelay.transferNanos(List.of(), bytes, new LinkDelay.Jitter()));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LinkDelay.transferNanos(link(1, 0, 0, 0), -1, 0));
        assertThrows(IllegalArgumentException.class, () -> LinkDelay.transferNanos(link(1, 0, 0, 0), 1, 1.0));
    }
}
