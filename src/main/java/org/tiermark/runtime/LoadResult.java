package org.tiermark.runtime;

import java.util.Arrays;

/**
 * What one {@link LoadLevel} measured on a tier. Latency runs from a request's scheduled arrival on
 * its device to its answer's arrival back there (links, queue, tier compute), so a late generator
 * cannot hide queueing (no coordinated omission). Unfinished requests count as slower than any
 * answered one in the percentiles, which are then {@code +Infinity}.
 *
 * @param completed            requests answered
 * @param unfinished           requests sent but not answered when the level stopped
 * @param throughputPerSecond  answers per second, from the first arrival to the last answer
 * @param offeredPerSecond     arrivals per second the generator really submitted (open loop), or sent (closed)
 * @param p50Ms                latency percentiles, arrival to answer
 * @param queueWaitMeanMs      time a request waited in the tier's queue before a worker took it
 * @param serviceMeanMs        mean time a worker spent on one request (tier compute, stretched to its speed)
 * @param utilization          throughput x mean service time / workers: the share of the tier's workers kept busy
 * @param generatorLagP50Ms    how late the generator submitted arrivals against their schedule (median)
 * @param generatorCpuMs       CPU time of the generator thread
 * @param processCpuShare      CPU time of this whole process over the level's wall time x this machine's cores
 * @param drivable             false when the generator fell behind its schedule (see {@link #isDrivable})
 */
public record LoadResult(LoadLevel level, int completed, int unfinished, double throughputPerSecond, double offeredPerSecond,
                         double p50Ms, double p90Ms, double p99Ms, double meanMs, double queueWaitMeanMs, double queueWaitP99Ms,
                         double serviceMeanMs, double utilization, double generatorLagP50Ms, double generatorCpuMs,
                         double processCpuShare, boolean drivable) {
    /** How far behind its schedule the generator may fall before a level is "not drivable here". */
    public static final double MAX_SCHEDULE_SLIP = 0.10;

    /**
     * Whether a generator kept an open-loop schedule: it submitted at least 90% of the schedule's rate
     * (arrivals over the scheduled span), and its median lag is under 10% of the mean gap between arrivals. Otherwise the tier never saw the
     * level, and its figures describe this machine's generator, not the tier.
     */
    public static boolean isDrivable(double targetPerSecond, double offeredPerSecond, double lagP50Nanos) {
        double gapNanos = 1e9 / targetPerSecond;
        return offeredPerSecond >= (1 - MAX_SCHEDULE_SLIP) * targetPerSecond && lagP50Nanos <= MAX_SCHEDULE_SLIP * gapNanos;
    }

    /** Whether the level kept its p99 within {@code boundMs}: drivable, everything answered, p99 under the bound. */
    public boolean sustains(double boundMs) {
        return drivable && unfinished == 0 && p99Ms <= boundMs;
    }

    /** The {@code q}-quantile (nearest rank) of sorted nanoseconds, in milliseconds; +Infinity past the answered ones. */
    static double quantileMs(long[] sortedNanos, int unfinished, double q) {
        int n = sortedNanos.length + unfinished;
        if (n == 0) {
            return Double.NaN;
        }
        int rank = Math.max(1, (int) Math.ceil(q * n));
        return rank > sortedNanos.length ? Double.POSITIVE_INFINITY : sortedNanos[rank - 1] / 1e6;
    }

    static double meanMs(long[] nanos) {
        return nanos.length == 0 ? Double.NaN : Arrays.stream(nanos).average().orElse(Double.NaN) / 1e6;
    }
}
