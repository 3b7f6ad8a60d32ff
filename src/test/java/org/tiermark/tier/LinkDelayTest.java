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
    void halfTheRoundTripPlusWireBitsOverBandwidth() {
        // 1 Mbit/s: 125,000 bytes in 87 segments of <= 1448 bytes, each with 66 header bytes: 130,742 bytes
        // = 1,045,936 bits = 1.045936 s; plus half of a 20 ms RTT
        assertEquals(1_055_936_000L, LinkDelay.transferNanos(link(1, 20, 0, 0), 125_000, 0));
        // 200 Mbit/s: a 1x1024x14x14 float tensor (802,816 bytes, 555 segments: 839,446 wire bytes) takes 33.58 ms
        assertEquals(33_577_840L, LinkDelay.transferNanos(link(200, 0, 0, 0), 802_816, 0));
        assertEquals(500_000L, LinkDelay.transferNanos(link(200, 1, 0, 0), 0, 0));
    }

    @Test
    void payloadOnlyIsTheModelBeforeCalibration() {
        LinkProfile l = link(1, 20, 0, 0).withCalibration(LinkCalibration.PAYLOAD_ONLY);
        // 125,000 bytes are 1,000,000 bits = 1 s; plus half of a 20 ms RTT
        assertEquals(1_010_000_000L, LinkDelay.transferNanos(l, 125_000, 0));
    }

    @Test
    void aNewConnectionPaysTheHandshakeTheSetupAndTheSlowStartRoundsBelowTheLinksCapacity() {
        LinkCalibration perRequest = LinkCalibration.DEFAULT.withNewConnection(true);
        // the handshake's SYN and SYN-ACK (74 wire bytes each) and ACK (66): 214 bytes, 1712 bits: 8.56 us at 200 Mbit/s
        assertEquals(214, perRequest.handshakeWireBytes());
        // 200 Mbit/s, 1 ms: a full frame (1514 bytes) takes 60.56 us; the first window of 10 (0.6056 ms) leaves the
        // link idle for 0.3944 ms until its ACKs return; the second (20 frames, 1.21 ms) fills the round trip
        LinkProfile wlan = link(200, 1, 0, 0).withCalibration(perRequest);
        assertEquals(1_000_000 + 8_560 + 394_400, LinkDelay.connectionNanos(wlan, 1_000_000), 1);
        // a message within the initial window pays only the handshake
        assertEquals(1_000_000 + 8_560, LinkDelay.connectionNanos(wlan, 10_000), 1);
        // 10 Mbit/s, 20 ms: the handshake's bytes take 171.2 us; one idle round (20 - 12.112 ms)
        assertEquals(20_000_000 + 171_200 + 7_888_000, LinkDelay.connectionNanos(link(10, 20, 0, 0).withCalibration(perRequest), 1_000_000), 1);
        // 1 Mbit/s, 20 ms: the handshake's bytes take 1.712 ms; the initial window alone takes 121 ms, longer than the round trip
        assertEquals(20_000_000 + 1_712_000, LinkDelay.connectionNanos(link(1, 20, 0, 0).withCalibration(perRequest), 1_000_000), 1);
        LinkCalibration withSetup = new LinkCalibration(1500, LinkCalibration.NEW, 0.25, 10, 0, "test");
        assertEquals(250_000 + 8_560, LinkDelay.connectionNanos(link(200, 0, 0, 0).withCalibration(withSetup), 1_000_000), 1);
        assertEquals(0, LinkDelay.connectionNanos(link(200, 1, 0, 0), 1_000_000), "a kept connection costs nothing more");
        assertEquals(LinkDelay.transferNanos(link(200, 1, 0, 0), 1_000_000, 0) + 1_402_960,
                LinkDelay.transferNanos(wlan, 1_000_000, 0), 1);
        assertEquals(0, LinkCalibration.PAYLOAD_ONLY.handshakeWireBytes(), "no framing, no handshake bytes");
    }

    @Test
    void theSegmentAfterSeventyCostsAFourthRound() {
        // 50 Mbit/s, 20 ms (traced in docs/emulation.md): a frame takes 242.24 us. 100,000 bytes are 70 segments of
        // <= 1448: windows of 10 (2.4224 ms, idle 17.5776), 20 (4.8448 ms, idle 15.1552), then the last 40 in one round
        LinkProfile l = link(50, 20, 0, 0).withCalibration(LinkCalibration.DEFAULT.withNewConnection(true));
        double handshake = 214 * 8e3 / 50; // 34.24 us
        assertEquals(20_000_000 + handshake + 17_577_600 + 15_155_200, LinkDelay.connectionNanos(l, 100_000), 1);
        // 101,400 bytes are 71 segments: the window of 40 (9.6896 ms) leaves one for a fourth round, idle 10.3104 ms
        assertEquals(20_000_000 + handshake + 17_577_600 + 15_155_200 + 10_310_400, LinkDelay.connectionNanos(l, 101_400), 1);
    }

    @Test
    void everyMessagePaysTheSocketsOverheadOnEachLinkOfItsRoute() {
        LinkCalibration c = new LinkCalibration(1500, LinkCalibration.KEPT, 0, 10, 0.02, "test");
        LinkProfile wlan = link(200, 1, 0, 0);
        assertEquals(LinkDelay.transferNanos(wlan, 10_000, 0) + 20_000, LinkDelay.transferNanos(wlan.withCalibration(c), 10_000, 0));
        assertEquals(500_000 + 20_000, LinkDelay.transferNanos(wlan.withCalibration(c), 0, 0), "even an empty message");
        LinkProfile wan = link(1, 20, 0, 0).withCalibration(c);
        assertEquals(LinkDelay.transferNanos(wlan, 1000, 0) + LinkDelay.transferNanos(link(1, 20, 0, 0), 1000, 0) + 40_000,
                LinkDelay.transferNanos(List.of(wlan.withCalibration(c), wan), 1000, new LinkDelay.Jitter()), "once per link");
    }

    @Test
    void badCalibrationsAreRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LinkCalibration(1500, "sometimes", 0, 10, 0, ""));
        assertTrue(e.getMessage().contains("calibration.connection") && e.getMessage().contains("'kept' or 'new'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LinkCalibration(100, "kept", 0, 10, 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new LinkCalibration(1500, "kept", -1, 10, 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new LinkCalibration(1500, "kept", 0, -3, 0, ""));
        e = assertThrows(IllegalArgumentException.class, () -> new LinkCalibration(1500, "kept", 0, 10, -0.1, ""));
        assertTrue(e.getMessage().contains("calibration.messageOverheadMs"), e.getMessage());
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
        assertThrows(IllegalArgumentException.class, () -> LinkDelay.transferNanos(link(1, 0, 0, 0), 1, 0, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinkCalibration.DEFAULT.withBurstBytes(-1));
        assertTrue(e.getMessage().contains("calibration.burstBytes"), e.getMessage());
    }

    /** 1 Mbit/s, 20 ms, the studies' tbf bucket of 3028 bytes: a byte takes 8 us, the bucket refills 125 bytes per ms. */
    static LinkProfile shaped(double rttMs, boolean newConnection) {
        return link(1, rttMs, 0, 0).withCalibration(LinkCalibration.DEFAULT.withBurstBytes(3028).withNewConnection(newConnection));
    }

    @Test
    void theBucketPassesWhatItHeldAtLineRate() {
        LinkProfile wan = shaped(20, false);
        // 10,000 bytes are 10,462 on the wire (83.696 ms); half the round trip 10 ms
        assertEquals(10_000_000 + 83_696_000, LinkDelay.transferNanos(link(1, 20, 0, 0), 10_000, 0), "no shaper: no credit");
        // rested: the full bucket, 3028 bytes (24.224 ms), passes at once
        assertEquals(3028, LinkDelay.creditBytes(wan, 10_000, Long.MAX_VALUE), 1e-9);
        assertEquals(10_000_000 + 83_696_000 - 24_224_000, LinkDelay.transferNanos(wan, 10_000, 0));
        // after 20 ms of idle the bucket holds 2500 bytes (20 ms)
        assertEquals(2500, LinkDelay.creditBytes(wan, 10_000, 20_000_000), 1e-9);
        assertEquals(10_000_000 + 83_696_000 - 20_000_000, LinkDelay.transferNanos(wan, 10_000, 0, 20_000_000));
        // no idle, no credit
        assertEquals(10_000_000 + 83_696_000, LinkDelay.transferNanos(wan, 10_000, 0, 0));
        // a message the bucket holds whole (100 bytes: 166 on the wire) costs only the propagation
        assertEquals(166, LinkDelay.creditBytes(wan, 100, Long.MAX_VALUE), 1e-9);
        assertEquals(10_000_000, LinkDelay.transferNanos(wan, 100, 0));
        // a new connection: the handshake's 214 bytes draw on the bucket too, and it refills during the handshake's
        // round trip: after no idle it holds 2500 bytes (20 ms). 10,676 shaped bytes: 85.408 ms; the connection
        // 20 ms + the handshake's 1.712 ms (the first window, 121 ms, is longer than the round trip: no idle round)
        LinkProfile fresh = shaped(20, true);
        assertEquals(10_676, LinkDelay.shapedBytes(fresh, 10_000));
        assertEquals(2500, LinkDelay.creditBytes(fresh, 10_000, 0), 1e-9);
        assertEquals(10_000_000 + 83_696_000 + 21_712_000 - 20_000_000, LinkDelay.transferNanos(fresh, 10_000, 0, 0));
        assertEquals(3028, LinkDelay.creditBytes(fresh, 10_000, 10_000_000), 1e-9, "10 ms idle + 20 ms: more than the bucket");
    }

    @Test
    void eachDirectionsBucketRefillsSinceItWasLastEmpty() {
        LinkProfile wan = shaped(0, false);
        LinkDelay.Buckets b = new LinkDelay.Buckets();
        assertEquals(Long.MAX_VALUE, b.idleNanos(wan, "mobile", 0), "a direction that never carried a message is rested");
        // 10,000 bytes (10,462 on the wire) at 0 on a rested link: 3028 at once, 7434 at 8 us: empty at 59.472 ms
        b.sent(wan, "mobile", 10_000, 0, Long.MAX_VALUE);
        assertEquals(20_000_000, b.idleNanos(wan, "mobile", 79_472_000));
        assertEquals(Long.MAX_VALUE, b.idleNanos(wan, "edge", 79_472_000), "the other direction has its own bucket");
        assertEquals(0, b.idleNanos(wan, "mobile", 50_000_000), "still sending: no idle");
        // 20 ms later: 2500 bytes of credit, 7962 at 8 us (63.696 ms): empty at 143.168 ms
        b.sent(wan, "mobile", 10_000, 79_472_000, 20_000_000);
        assertEquals(100_000_000, b.idleNanos(wan, "mobile", 243_168_000));
        // 100 ms later a 100-byte message (166 on the wire) from a full bucket leaves 2862 bytes: as if empty 22.896 ms earlier
        b.sent(wan, "mobile", 100, 243_168_000, 100_000_000);
        long idle = b.idleNanos(wan, "mobile", 243_168_000);
        assertEquals(22_896_000, idle);
        assertEquals(2862, LinkDelay.creditBytes(wan, 10_000, idle), 1e-6, "what the small message left");
        // a new connection's data follows the handshake's round trip: the bucket is empty that much later
        LinkProfile fresh = shaped(20, true);
        b.sent(fresh, "cloud", 10_000, 0, 0); // 2500 bytes after the handshake's 20 ms; 10,676 shaped: 8176 at 8 us
        assertEquals(0, b.idleNanos(fresh, "cloud", 20_000_000 + 65_408_000));
        assertEquals(1, b.idleNanos(fresh, "cloud", 20_000_000 + 65_408_001));
        b.reset();
        assertEquals(Long.MAX_VALUE, b.idleNanos(wan, "mobile", 0));
    }

    @Test
    void aRouteCreditsEachLinkInItsDirectionAndRecordsTheMessage() {
        LinkProfile wlan = link(200, 1, 0, 0).withCalibration(LinkCalibration.DEFAULT.withBurstBytes(3028));
        LinkProfile wan = new LinkProfile("wan", "edge", "cloud", 1, 20, 0, 0, null, LinkCalibration.DEFAULT.withBurstBytes(3028));
        LinkDelay.Buckets b = new LinkDelay.Buckets();
        LinkDelay.Jitter j = new LinkDelay.Jitter();
        long bytes = 10_000;
        long rested = LinkDelay.transferNanos(wlan, bytes, 0) + LinkDelay.transferNanos(wan, bytes, 0);
        assertEquals(rested, LinkDelay.transferNanos(List.of(wlan, wan), "mobile", bytes, j, b, 0), "rested links");
        // the way back goes the other directions: rested too, even at once
        assertEquals(rested, LinkDelay.transferNanos(List.of(wan, wlan), "cloud", bytes, j, b, rested));
        // wlan (200 Mbit/s, 40 ns a byte, 1 ms): 0.5 ms + (10,462 - 3028) x 40 ns = 797.36 us, its bucket empty at 297.36 us
        // and full again 121.12 us later; wan: starts at 797.36 us, empty at 797.36 us + 7434 x 8 us = 60.26936 ms
        assertEquals(797_360, LinkDelay.transferNanos(wlan, bytes, 0));
        // sent again at 69.472 ms: wlan rested, the wan message starts at 70.26936 ms after 10 ms of idle: 1250 bytes
        // of credit, 10 ms less than its 93.696 ms without
        assertEquals(797_360 + 83_696_000, LinkDelay.transferNanos(List.of(wlan, wan), "mobile", bytes, j, b, 69_472_000));
    }
}
