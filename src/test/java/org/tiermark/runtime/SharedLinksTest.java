package org.tiermark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tiermark.tier.LinkCalibration;
import org.tiermark.tier.LinkProfile;

class SharedLinksTest {
    @Test
    void payloadsSentTogetherShareTheBucketThenQueue() {
        // 8 Mbit/s (1 us a byte), 2 ms round trip, a bucket of 3028 bytes; 1000 bytes are 1066 on the wire
        LinkProfile wlan = new LinkProfile("mobile-edge", "mobile", "edge", 8, 2.0, 0, 1, "",
                LinkCalibration.DEFAULT.withBurstBytes(3028));
        SharedLinks links = new SharedLinks();
        // the rested bucket passes the first payload at once (1 ms: propagation only) and keeps 1962 bytes
        assertEquals(1_000_000, links.arrivalNanos(List.of(wlan), "mobile", 1000, 0));
        assertEquals(1_000_000, links.arrivalNanos(List.of(wlan), "mobile", 1000, 0), "the second fits what was left");
        // 896 bytes left: the third pays its other 170 bytes, 170 us
        assertEquals(1_170_000, links.arrivalNanos(List.of(wlan), "mobile", 1000, 0));
        // the fourth waits behind the third (until 170 us) with an empty bucket: 1066 us of wire
        assertEquals(170_000 + 1_000_000 + 1_066_000, links.arrivalNanos(List.of(wlan), "mobile", 1000, 0));
        assertEquals(1_000_000, links.arrivalNanos(List.of(wlan), "edge", 1000, 0), "the other direction's bucket is full");
        // 3028 bytes refill in 3.028 ms: from the fourth's end (1.236 ms) the bucket is full again by 4.264 ms
        assertEquals(5_000_000 + 1_000_000, links.arrivalNanos(List.of(wlan), "mobile", 1000, 5_000_000));
        links.reset();
        assertEquals(1_000_000, links.arrivalNanos(List.of(wlan), "mobile", 1000, 0), "a reset link is rested");
    }
}
