package org.tiermark.tier;

/**
 * How {@link LinkDelay} turns a message into time on one link, beyond payload bits over bandwidth: the
 * parameters are TCP/IP facts or fitted constants, each with its meaning, and the run folder that
 * measured them ({@code provenance}). Absent from a link profile: {@link #DEFAULT}.
 *
 * @param mtu                   the interface MTU; every segment of {@code mtu - 52} payload bytes costs
 *                              {@value #FRAME_HEADER_BYTES} header bytes on the wire (Ethernet 14 + IPv4 20 +
 *                              TCP with timestamps 32), +4.56% at 1500. 0: payload bits only, the model before
 *                              calibration
 * @param connection            {@code kept}: one connection carries every request (HTTP keep-alive, the agents'
 *                              client); {@code new}: a connection per request, as the studies' HTTP clients
 *                              opened, which adds the handshake (one round trip), slow start from
 *                              {@code initialWindowSegments} and {@code connectionSetupMs}
 * @param connectionSetupMs     what opening a connection costs besides its round trip and its packets' wire time
 *                              (system calls, accept, the server's thread): fitted from new-connection against
 *                              kept-connection transfers at zero round trip, less the handshake's wire time
 * @param initialWindowSegments TCP's initial congestion window (10 in Linux, RFC 6928)
 * @param messageOverheadMs     what one message costs to cross a socket pair besides the wire, on every
 *                              connection: the sender's write, the stack on both ends, the receiver's wake-up and
 *                              read. A real link has it too (more with a NIC's interrupts); the simulated
 *                              deployment, which calls stages in process, would otherwise leave it out. Fitted from
 *                              one-byte messages on a kept connection at zero round trip (where tbf's bucket and the
 *                              wire add almost nothing): half the median of (round trip - the model's two crossings)
 * @param burstBytes            the link's shaper bucket: the wire bytes it passes at line rate after it idled long
 *                              enough to refill (a token bucket refills at the link's rate). 0: a link without a shaper.
 *                              The studies shaped their links with {@code tc tbf}, which always has one, and
 *                              tiermark's emulation builds each link's tbf with this bucket (docs/emulation.md)
 * @param provenance            where the fitted figures come from (run folder and command)
 */
public record LinkCalibration(int mtu, String connection, double connectionSetupMs, int initialWindowSegments,
                              double messageOverheadMs, long burstBytes, String provenance) {
    /** Ethernet + IPv4 + TCP-with-timestamps header bytes of a full frame. */
    public static final int FRAME_HEADER_BYTES = 14 + 20 + 32;
    /**
     * A SYN or SYN-ACK on the wire: Ethernet 14 + IPv4 20 + TCP 20 with Linux's options (MSS 4, SACK permitted 2,
     * timestamps 10, NOP 1, window scale 3).
     */
    public static final int SYN_FRAME_BYTES = 14 + 20 + 20 + 20;
    public static final String KEPT = "kept";
    public static final String NEW = "new";
    /** Wire framing at MTU 1500 on a kept connection: what a profile without calibration gets. */
    public static final LinkCalibration DEFAULT = new LinkCalibration(1500, KEPT, 0, 10, 0, 0, "TCP/IP headers at MTU 1500");
    /** Payload bits over bandwidth and nothing else: the model before calibration, kept for comparison. */
    public static final LinkCalibration PAYLOAD_ONLY = new LinkCalibration(0, KEPT, 0, 10, 0, 0, "payload bits only");

    public LinkCalibration {
        if (mtu != 0 && (mtu < 576 || mtu > 65536)) {
            throw new IllegalArgumentException("field 'calibration.mtu': must be 0 (payload only) or 576..65536 (got " + mtu + ")");
        }
        connection = connection == null ? KEPT : connection;
        if (!connection.equals(KEPT) && !connection.equals(NEW)) {
            throw new IllegalArgumentException("field 'calibration.connection': must be '" + KEPT + "' or '" + NEW
                    + "' (got '" + connection + "')");
        }
        if (!(connectionSetupMs >= 0) || Double.isInfinite(connectionSetupMs)) {
            throw new IllegalArgumentException("field 'calibration.connectionSetupMs': must be >= 0 (got " + connectionSetupMs + ")");
        }
        initialWindowSegments = initialWindowSegments == 0 ? 10 : initialWindowSegments;
        if (initialWindowSegments < 1) {
            throw new IllegalArgumentException("field 'calibration.initialWindowSegments': must be >= 1 (got "
                    + initialWindowSegments + ")");
        }
        if (!(messageOverheadMs >= 0) || Double.isInfinite(messageOverheadMs)) {
            throw new IllegalArgumentException("field 'calibration.messageOverheadMs': must be >= 0 (got " + messageOverheadMs + ")");
        }
        if (burstBytes < 0) {
            throw new IllegalArgumentException("field 'calibration.burstBytes': must be >= 0 (0: a link without a shaper; got "
                    + burstBytes + ")");
        }
        provenance = provenance == null ? "" : provenance;
    }

    /** A calibration of a link without a shaper ({@code burstBytes} 0). */
    public LinkCalibration(int mtu, String connection, double connectionSetupMs, int initialWindowSegments,
                           double messageOverheadMs, String provenance) {
        this(mtu, connection, connectionSetupMs, initialWindowSegments, messageOverheadMs, 0, provenance);
    }

    /** The same calibration with a connection per request ({@code true}) or one kept connection. */
    public LinkCalibration withNewConnection(boolean newConnection) {
        return new LinkCalibration(mtu, newConnection ? NEW : KEPT, connectionSetupMs, initialWindowSegments, messageOverheadMs,
                burstBytes, provenance);
    }

    /** The same calibration with a shaper bucket of {@code bytes} (0: none). */
    public LinkCalibration withBurstBytes(long bytes) {
        return new LinkCalibration(mtu, connection, connectionSetupMs, initialWindowSegments, messageOverheadMs, bytes, provenance);
    }

    public boolean newConnection() {
        return connection.equals(NEW);
    }

    /**
     * Wire bytes of a TCP handshake on the way of a new connection's first data: SYN, SYN-ACK and the client's ACK (sent
     * on its own when {@code connect} returns, before the application writes); 0 without framing.
     */
    public int handshakeWireBytes() {
        return mtu == 0 ? 0 : 2 * SYN_FRAME_BYTES + FRAME_HEADER_BYTES;
    }

    /** TCP payload bytes per full segment; 0 without framing. */
    public int segmentBytes() {
        return mtu == 0 ? 0 : mtu - (FRAME_HEADER_BYTES - 14);
    }

    /** Bytes on the wire for {@code payloadBytes} of TCP payload (full segments, the last one partial). */
    public long wireBytes(long payloadBytes) {
        if (mtu == 0) {
            return payloadBytes;
        }
        long segment = segmentBytes();
        return payloadBytes + (payloadBytes + segment - 1) / segment * FRAME_HEADER_BYTES;
    }
}
