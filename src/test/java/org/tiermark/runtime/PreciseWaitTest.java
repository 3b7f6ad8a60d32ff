package org.tiermark.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PreciseWaitTest {
    @Test
    void preciseWaitNeverReturnsEarly() {
        for (long nanos : new long[] {50_000, 1_000_000, 3_000_000}) {
            long t = System.nanoTime();
            PreciseWait.waitNanos(nanos);
            assertTrue(System.nanoTime() - t >= nanos);
        }
    }
}
