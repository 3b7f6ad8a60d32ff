package org.tiermark.runtime;

import java.util.Arrays;

/** Where the time of one {@link DeploymentRunner} call went, and the bytes of each hop; for the last call only. */
public final class Breakdown {
    public long totalNanos;
    /** Compute as measured on this machine (preprocessing, stages, encoding, decoding). */
    public long computeNanos;
    /** Extra wait that stretched compute to each tier's speed. */
    public long stretchNanos;
    /** Link time charged by the link cost (waited when simulated). */
    public long transferNanos;
    /**
     * Wall time of calls to stages on real tiers (emulated or remote): the links both ways and the tier's
     * compute, which cannot be told apart from here.
     */
    public long remoteNanos;
    /** Bytes of each hop's payload: origin to first stage, between stages, last stage to origin. */
    public final long[] bytes;
    public final long[] hopTransferNanos;
    public final long[] stageComputeNanos;

    Breakdown(int hops, int stages) {
        bytes = new long[hops];
        hopTransferNanos = new long[hops];
        stageComputeNanos = new long[stages];
    }

    void reset() {
        totalNanos = computeNanos = stretchNanos = transferNanos = remoteNanos = 0;
        Arrays.fill(bytes, 0);
        Arrays.fill(hopTransferNanos, 0);
        Arrays.fill(stageComputeNanos, 0);
    }

    public long totalBytes() {
        long s = 0;
        for (long v : bytes) {
            s += v;
        }
        return s;
    }
}
