package org.tiermark.emulation;

/**
 * The token-bucket filter ({@code tc qdisc ... tbf}) that shapes one direction of a link, and what it
 * counts. tbf charges whole frames as the interface sends them: Ethernet header (14 bytes) + IP (20) +
 * TCP with timestamps (32) around at most {@code mtu - 52} payload bytes, so a bulk TCP transfer of
 * {@code n} bytes costs about {@code n * (mtu + 14) / (mtu - 52)} bytes of tokens: 4.56% more at MTU 1500.
 *
 * @param rateBitsPerSecond the link's bandwidth
 * @param burstBytes        bucket size: the link profile's {@code calibration.burstBytes}, which the link-delay model
 *                          charges too (whatever the bucket holds when a message starts crosses at line rate), so
 *                          simulated and emulated links agree; at least two full frames. One frame ({@code mtu + 14},
 *                          the least the kernel takes) does not hold the rate: every frame then waits for the qdisc
 *                          watchdog, whose lateness a one-frame bucket cannot absorb, and 1 MB took +1.8% at 10, +7.5% at
 *                          50, +11.6-13.5% at 100, +17.6% at 150 and +21-24% at 200 Mbit/s over the wire-byte time
 *                          (two frames: 0.0 to +0.3%, once +3.6%; docs/runs/links-20261130-s3/bucket). Nor can tbf make
 *                          a link without a bucket: its bucket, and a second peak-rate bucket's, hold at least a frame
 *                          (docs/emulation.md, "The shaper's bucket")
 * @param limitBytes        queue behind the bucket: 100 ms at line rate (at least 64 KB), so a TCP window
 *                          queued by the sender is not dropped, while queueing delay stays bounded
 * @param mtu               the interface MTU the overhead is computed for
 */
public record Tbf(long rateBitsPerSecond, long burstBytes, long limitBytes, int mtu) {
    /** Ethernet + IPv4 + TCP-with-timestamps header bytes per full frame. */
    public static final int FRAME_HEADER_BYTES = 14 + 20 + 32;

    public Tbf {
        if (rateBitsPerSecond < 8000) {
            throw new IllegalArgumentException("tbf rate must be >= 8 kbit/s (got " + rateBitsPerSecond + " bit/s)");
        }
        if (mtu < 576) {
            throw new IllegalArgumentException("mtu must be >= 576 (got " + mtu + ")");
        }
        if (burstBytes < minBurstBytes(mtu)) {
            throw new IllegalArgumentException("tbf burst must be >= two full frames, " + minBurstBytes(mtu) + " bytes at MTU " + mtu
                    + ", to hold the rate (got " + burstBytes + ")");
        }
    }

    /** The least bucket that holds the rate on interfaces of {@code mtu}: two full frames (see {@code burstBytes}). */
    public static long minBurstBytes(int mtu) {
        return 2L * (mtu + 14);
    }

    /** The settings for a link of {@code bandwidthMbps} (10^6 bit/s) on interfaces of {@code mtu}, with the least bucket. */
    public static Tbf forBandwidth(double bandwidthMbps, int mtu) {
        return forLink(bandwidthMbps, mtu, minBurstBytes(mtu));
    }

    /** The settings for a link of {@code bandwidthMbps} (10^6 bit/s) on interfaces of {@code mtu} with a bucket of {@code burstBytes}. */
    public static Tbf forLink(double bandwidthMbps, int mtu, long burstBytes) {
        long rate = Math.round(bandwidthMbps * 1e6);
        long bytesPerSecond = rate / 8;
        long limit = Math.max(64 * 1024, bytesPerSecond / 10);
        return new Tbf(rate, burstBytes, limit, mtu);
    }

    /** Bytes tbf charges for a bulk TCP transfer of {@code payloadBytes} (full frames; the last one partial). */
    public long wireBytes(long payloadBytes) {
        long segment = mtu - (FRAME_HEADER_BYTES - 14); // the MTU holds IP and TCP headers, not Ethernet's
        long frames = (payloadBytes + segment - 1) / segment;
        return payloadBytes + frames * FRAME_HEADER_BYTES;
    }

    /** Nanoseconds tbf needs to pass {@code payloadBytes} of TCP payload at its rate, once the bucket is empty. */
    public double transferNanos(long payloadBytes) {
        return wireBytes(payloadBytes) * 8e9 / rateBitsPerSecond;
    }

    /** The arguments after {@code tc qdisc add dev DEV root}. */
    public String[] tcArguments() {
        return new String[] {"tbf", "rate", rateBitsPerSecond + "bit", "burst", Long.toString(burstBytes),
                "limit", Long.toString(limitBytes)};
    }
}
