package org.tiermark.emulation;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A delay line for IP packets, as netem would add on a kernel that has it: one TUN device in each of two network
 * namespaces, and this process between them forwarding every packet, in either direction, one-way-delay after it
 * read it. Unlike the stream relay {@link DelayLine}, the TCP handshake, ACKs and so slow start and window growth
 * pay the round trip, as on a real link. The link's bandwidth is tbf on each TUN device (its egress is what this
 * process reads), set up by {@link NetworkEmulation#addPacketLink}; tbf there counts IP packets (no Ethernet
 * header: 14 bytes less per frame than on a veth).
 *
 * <p>Run as its own process (it is started with a timer slack of 1 ns, as {@link DelayLine}): {@code PacketDelayLine
 * NETNS_A TUN_A NETNS_B TUN_B ONE_WAY_MS}. It prints {@code packet delay line ready} once both devices exist, and
 * exits when its standard input closes (its parent is gone), which removes both devices. Queue per direction: 4096
 * packets, dropped beyond (as a router's queue would).
 */
public final class PacketDelayLine {
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int QUEUE_PACKETS = 4096;
    /** System property of the line's process: a file to trace every TCP packet's header into (diagnosis; off by default). */
    public static final String TRACE_PROPERTY = "tiermark.packetTrace";

    /** The C library calls Java has no API for. */
    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int ioctl(int fd, long request, byte[] ifreq) throws LastErrorException;

        long read(int fd, byte[] buffer, long count) throws LastErrorException;

        long write(int fd, byte[] buffer, long count) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;
    }

    private record Packet(byte[] data, long dueNanos) {}

    private PacketDelayLine() {}

    /** The command that runs a line between {@code tunA} in {@code netnsA} and {@code tunB} in {@code netnsB}. */
    public static List<String> command(Path netnsA, String tunA, Path netnsB, String tunB, double oneWayMs) {
        return new ArrayList<>(List.of("sh", "-c", "echo 1 > /proc/$$/timerslack_ns 2>/dev/null; exec \"$@\"", "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), PacketDelayLine.class.getName(), netnsA.toString(), tunA,
                netnsB.toString(), tunB, Double.toString(oneWayMs)));
    }

    /**
     * Opens TUN device {@code name} inside the namespace at {@code netns}. {@code setns} moves only the calling
     * thread, and the device is born in the namespace of the thread that names it: a thread of its own does it.
     */
    static int openTun(LibC c, Path netns, String name) throws IOException {
        if (name.getBytes(StandardCharsets.US_ASCII).length > 15) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than 15 characters");
        }
        int[] fd = {-1};
        RuntimeException[] failure = {null};
        Thread t = new Thread(() -> {
            try {
                int ns = c.open(netns.toString(), O_RDONLY);
                try {
                    c.setns(ns, CLONE_NEWNET);
                } finally {
                    c.close(ns);
                }
                int tun = c.open("/dev/net/tun", O_RDWR);
                byte[] ifreq = new byte[40];
                byte[] n = name.getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(n, 0, ifreq, 0, n.length);
                short flags = (short) (IFF_TUN | IFF_NO_PI);
                ifreq[16] = (byte) flags; // little-endian short after the 16-byte name
                ifreq[17] = (byte) (flags >> 8);
                try {
                    c.ioctl(tun, TUNSETIFF, ifreq);
                } catch (RuntimeException e) {
                    c.close(tun);  // not yet ours to keep: the process lives on after a refused device
                    throw e;
                }
                fd[0] = tun;
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "tun-" + name);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening " + name);
        }
        if (failure[0] != null) {
            throw new IOException("cannot open TUN device " + name + " in " + netns + ": " + failure[0].getMessage(), failure[0]);
        }
        return fd[0];
    }

    /**
     * One direction: a reader stamps packets as tbf lets them out of {@code from}, a writer hands each to {@code to} when due.
     * With {@code written} (the trace's {@code .written} file) the writer records each packet's hand-off, how late it woke
     * and how long the write took.
     */
    private static void forward(LibC c, int from, int to, long oneWayNanos, String name, PrintStream trace, PrintStream written) {
        BlockingQueue<Packet> queue = new ArrayBlockingQueue<>(QUEUE_PACKETS);
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[65536];
            while (true) {
                long n = c.read(from, buffer, buffer.length);
                if (n > 0) {
                    long now = System.nanoTime();
                    queue.offer(new Packet(Arrays.copyOf(buffer, (int) n), now + oneWayNanos));
                    if (trace != null) {
                        trace(trace, now, name, buffer, (int) n);
                    }
                }
            }
        }, name + "-read");
        Thread writer = new Thread(() -> {
            try {
                while (true) {
                    Packet p = queue.take();
                    for (long wait; (wait = p.dueNanos() - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                    long handOff = System.nanoTime();
                    try {
                        c.write(to, p.data(), p.data().length);
                    } catch (LastErrorException e) {
                        // the device is down for a moment (being configured): the packet is lost, as on a link
                    }
                    if (written != null) {
                        // late: the wake-up after the due time; write: the kernel taking the packet in (its receive path
                        // runs inside the write)
                        long now = System.nanoTime();
                        trace(written, now, name + " late_us " + (handOff - p.dueNanos()) / 1000 + " write_us " + (now - handOff) / 1000,
                                p.data(), p.data().length);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-write");
        for (Thread t : List.of(reader, writer)) {
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * One line per TCP packet, as it left its sender's device: microseconds (monotonic), the device it came from, flags,
     * sequence and acknowledgement numbers, the advertised window field (unscaled) and the payload bytes.
     */
    private static void trace(PrintStream trace, long nanos, String from, byte[] p, int length) {
        int ihl = (p[0] & 0xf) * 4;
        if ((p[0] >> 4) != 4 || p[9] != 6 || length < ihl + 20) {
            return;
        }
        int total = (p[2] & 0xff) << 8 | (p[3] & 0xff);
        int doff = ((p[ihl + 12] >> 4) & 0xf) * 4;
        int f = p[ihl + 13] & 0x3f;
        String flags = ((f & 2) != 0 ? "S" : "") + ((f & 1) != 0 ? "F" : "") + ((f & 4) != 0 ? "R" : "") + ((f & 8) != 0 ? "P" : "")
                + ((f & 16) != 0 ? "." : "");
        synchronized (trace) {
            trace.printf("%d %s %s seq %d ack %d win %d len %d%n", nanos / 1000, from, flags, u32(p, ihl + 4), u32(p, ihl + 8),
                    (p[ihl + 14] & 0xff) << 8 | (p[ihl + 15] & 0xff), total - ihl - doff);
        }
    }

    private static long u32(byte[] p, int at) {
        return (p[at] & 0xffL) << 24 | (p[at + 1] & 0xffL) << 16 | (p[at + 2] & 0xffL) << 8 | (p[at + 3] & 0xffL);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: PacketDelayLine NETNS_A TUN_A NETNS_B TUN_B ONE_WAY_MS (got " + Arrays.toString(args) + ")");
            System.exit(2);
        }
        LibC c = Native.load("c", LibC.class);
        int a = openTun(c, Path.of(args[0]), args[1]);
        int b = openTun(c, Path.of(args[2]), args[3]);
        long oneWayNanos = Math.round(Double.parseDouble(args[4]) * 1e6);
        // -Dtiermark.packetTrace=FILE: every TCP packet's header fields, to see a connection's rounds and windows
        String traceFile = System.getProperty(TRACE_PROPERTY);
        PrintStream trace = traceFile == null ? null
                : new PrintStream(new BufferedOutputStream(new FileOutputStream(traceFile), 1 << 20), false, StandardCharsets.US_ASCII);
        // and FILE.written: each packet as the line hands it on, with how late after its due time (the line's own cost)
        PrintStream written = traceFile == null ? null : new PrintStream(new BufferedOutputStream(
                new FileOutputStream(traceFile + ".written"), 1 << 20), false, StandardCharsets.US_ASCII);
        if (trace != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                trace.flush();
                written.flush();
            }));
        }
        forward(c, a, b, oneWayNanos, args[1], trace, written);
        forward(c, b, a, oneWayNanos, args[3], trace, written);
        System.out.println("packet delay line ready");
        System.out.flush();
        // the parent holds our standard input: when it is gone, so are we (and with us both devices)
        while (System.in.read() >= 0) {
            // nothing is sent on it
        }
        if (trace != null) {
            trace.flush();
            written.flush();
        }
        System.exit(0);
    }
}
