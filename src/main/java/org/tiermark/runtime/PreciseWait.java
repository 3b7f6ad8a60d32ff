package org.tiermark.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits until a {@link System#nanoTime()} deadline with microsecond precision: parks while the
 * deadline is far (so the other core stays free), then spins the last stretch because park's
 * wake-up is late by tens of microseconds.
 */
public final class PreciseWait {
    /** Below this remaining time the wait spins instead of parking. */
    private static final long SPIN_NANOS = 200_000;

    private PreciseWait() {}

    public static void until(long deadlineNanos) {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > SPIN_NANOS) {
            LockSupport.parkNanos(remaining - SPIN_NANOS);
        }
        while (deadlineNanos - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
    }

    /** Waits {@code nanos} from now. */
    public static void waitNanos(long nanos) {
        if (nanos > 0) {
            until(System.nanoTime() + nanos);
        }
    }
}
