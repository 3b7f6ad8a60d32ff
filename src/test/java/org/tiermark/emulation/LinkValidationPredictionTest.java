package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tiermark.tier.LinkCalibration;

/** LinkValidation's predictions, computed by hand (no emulation needed). */
class LinkValidationPredictionTest {
    /** The shipped profiles' fitted terms: 0.036 ms per message, a bucket of 3028 bytes. */
    static final LinkCalibration SHIPPED = new LinkCalibration(1500, LinkCalibration.KEPT, 0.357, 10, 0.036, 3028, "test");

    @Test
    void theAfterColumnChargesTheBucketAsTheSuiteDoes() {
        // 1 Mbit/s (8 us a byte), 20 ms, 10 KB (10,462 wire bytes, 83.696 ms). The dropped first message finds the bucket
        // full; every later one finds it refilled for the 20.072 ms since it emptied (the round trip and two messages'
        // 0.036 ms): 2509 bytes, 20.072 ms at once. 10 ms + 83.696 - 20.072 + 0.036 there, 10 ms + 0.036 back (the
        // answer's 67 bytes from its full bucket): 83.696 ms
        assertEquals(83_696_000, LinkValidation.predict(1, 20, 10_000, SHIPPED, 31, 1));
        // without a shaper: 20 ms + 83.696 + the answer's 0.536 + 2 x 0.036
        assertEquals(104_304_000, LinkValidation.predict(1, 20, 10_000, SHIPPED.withBurstBytes(0), 31, 1));
        // payload bits and the round trip: 80 ms + 8 us + 20 ms
        assertEquals(100_008_000, LinkValidation.predict(1, 20, 10_000, LinkCalibration.PAYLOAD_ONLY, 31, 1));
        // the first message alone gets the full bucket: 24.224 ms at once
        assertEquals(83_696_000 - 4_152_000, LinkValidation.predict(1, 20, 10_000, SHIPPED, 1, 0));
    }

    @Test
    void aCellIsPredictedForTheTransfersItTimed() {
        LinkValidation.Cell c = LinkValidation.cell(1, 20, 10_000, false, List.of(80_000_000L, 83_696_000L, 90_000_000L), SHIPPED);
        assertEquals(83_696_000, c.medianNanos());
        assertEquals(83_696_000, c.calibratedNanos());
        assertEquals(0.0, c.calibratedErrorPct());
        assertEquals(100_008_000, c.payloadOnlyNanos());
    }
}
