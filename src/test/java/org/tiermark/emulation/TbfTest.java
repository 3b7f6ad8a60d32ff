package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TbfTest {
    @Test
    void wireBytesCountOneFrameHeaderPerSegment() {
        Tbf t = Tbf.forBandwidth(200, 1500);
        assertEquals(1448 + 66, t.wireBytes(1448), "one full segment: Ethernet 14 + IP 20 + TCP 32");
        assertEquals(1449 + 2 * 66, t.wireBytes(1449), "one byte more needs a second frame");
        // 1 MB: 4.56% more bytes on the wire than payload
        assertEquals(1.0456, t.wireBytes(1_000_000) / 1e6, 0.0005);
        assertEquals(t.wireBytes(1_000_000) * 8e9 / 200e6, t.transferNanos(1_000_000), 1e-6);
    }

    @Test
    void bucketIsTwoFramesAndQueueIsAHundredMilliseconds() {
        Tbf fast = Tbf.forBandwidth(200, 1500);
        assertEquals(3028, fast.burstBytes());
        assertEquals(2_500_000, fast.limitBytes());
        assertEquals(64 * 1024, Tbf.forBandwidth(1, 1500).limitBytes(), "at least 64 KB");
        assertArrayEquals(new String[] {"tbf", "rate", "200000000bit", "burst", "3028", "limit", "2500000"}, fast.tcArguments());
        assertThrows(IllegalArgumentException.class, () -> Tbf.forBandwidth(0.001, 1500));
    }

    @Test
    void aLinksBucketComesFromItsSpecAndHoldsAtLeastTwoFrames() {
        assertEquals(3028, Tbf.minBurstBytes(1500));
        assertArrayEquals(new String[] {"tbf", "rate", "1000000bit", "burst", "6000", "limit", "65536"},
                Tbf.forLink(1, 1500, 6000).tcArguments());
        assertEquals(6000, new NetworkEmulation.LinkSpec("mobile", "edge", 1, 20, 6000).tbf().burstBytes());
        assertEquals(3028, new NetworkEmulation.LinkSpec("mobile", "edge", 1, 20).tbf().burstBytes(), "the least by default");
        assertThrows(IllegalArgumentException.class, () -> Tbf.forLink(1, 1500, 1514), "one frame does not hold the rate");
        assertThrows(IllegalArgumentException.class, () -> new NetworkEmulation.LinkSpec("mobile", "edge", 1, 20, 0));
    }

    @Test
    void addressesStayInTheBenchmarkingRange() {
        assertEquals("198.18.0.1", NetworkEmulation.address(0, 1));
        assertEquals("198.18.0.6", NetworkEmulation.address(1, 2));
        assertEquals("198.18.1.1", NetworkEmulation.address(64, 1));
        assertEquals("198.19.255.254", NetworkEmulation.address(32767, 2), "the last /30 of 198.18.0.0/15");
    }
}
