package org.tiermark.emulation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A user-space delay line for kernels without netem: a TCP relay that forwards each chunk it reads,
 * in either direction, {@code oneWayDelayNanos} after it read it, so a request and its answer pay one
 * round trip ({@code 2 * oneWayDelay}) more. Run it in the server's namespace in front of the server; the
 * link's bandwidth stays with tbf on the veth.
 *
 * <p>What it models: propagation delay of TCP payload as the two applications see it, per chunk, in
 * order, with a bounded number of chunks in flight per direction (back-pressure). What it does not: the
 * sender's TCP sees the relay's ACKs without delay, so slow start and window growth are not limited by
 * the round trip as on a real long link (bulk transfers over a long fat pipe come out too fast); the
 * TCP handshake pays no delay (a new connection costs no extra round trip); no loss, reordering or jitter.
 *
 * <p>Its own costs, which a link does not have: every message crosses one more socket pair (client to relay,
 * relay to server) and a thread hand-off per direction, about 45 us per round trip on loopback here. Start it
 * with {@link #command}: Linux lets a sleeping thread wake up to its timer slack late (50 us by default), which
 * the due-time wait paid on each direction (a 1 ms line gave 1.30 ms round trips, with slack 1 ns 1.15 ms);
 * a JVM cannot set its threads' slack, and threads inherit it, so the command sets it before the JVM starts.
 * See docs/emulation.md.
 */
public final class DelayLine implements AutoCloseable {
    private static final int CHUNK_BYTES = 64 * 1024;
    /** Chunks in flight per direction: 256 x 64 KB bounds the memory a connection holds. */
    private static final int IN_FLIGHT = 256;

    private record Chunk(byte[] data, int length, long dueNanos) {}

    private static final Chunk END = new Chunk(new byte[0], -1, 0);

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long oneWayDelayNanos;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    /** Listens on {@code listen} and relays every connection to {@code target} with the delay. */
    public DelayLine(InetSocketAddress listen, InetSocketAddress target, long oneWayDelayNanos) throws IOException {
        if (oneWayDelayNanos < 0) {
            throw new IllegalArgumentException("delay must be >= 0 (got " + oneWayDelayNanos + " ns)");
        }
        this.target = target;
        this.oneWayDelayNanos = oneWayDelayNanos;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen);
        acceptor = daemon(this::accept, "delay-line-accept");
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * The command that runs a delay line from {@code LISTEN_PORT 0} (any free port; it prints
     * {@code delay line ready PORT}) to {@code targetHost:targetPort}, with a timer slack of 1 ns set before the
     * JVM starts (see the class comment) and this JVM's class path.
     */
    public static List<String> command(String targetHost, int targetPort, double oneWayMs) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo 1 > /proc/$$/timerslack_ns 2>/dev/null; exec \"$@\"", "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), DelayLine.class.getName(), "0", targetHost,
                Integer.toString(targetPort), Double.toString(oneWayMs)));
        return cmd;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket in = server.accept();
                Socket out = new Socket();
                out.connect(target, 10_000);
                for (Socket s : List.of(in, out)) {
                    s.setTcpNoDelay(true);
                    sockets.add(s);
                }
                AtomicInteger open = new AtomicInteger(2);
                pipe(in, out, open);
                pipe(out, in, open);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("delay line to " + target + ": " + e.getMessage());
                }
            }
        }
    }

    /** One direction: a reader stamps chunks, a writer sends each when it is due. */
    private void pipe(Socket from, Socket to, AtomicInteger openDirections) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(IN_FLIGHT);
        daemon(() -> {
            // not closed here: closing a socket's stream closes the socket, and the other direction may still run
            try {
                InputStream in = from.getInputStream();
                byte[] buffer = new byte[CHUNK_BYTES];
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    long due = System.nanoTime() + oneWayDelayNanos;
                    // a copy of what was read, not a fresh 64 KB per read: small messages stay small
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), n, due));
                }
            } catch (IOException | InterruptedException e) {
                // the connection is gone; the writer ends with it
            }
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "delay-line-read");
        daemon(() -> {
            try {
                OutputStream out = to.getOutputStream();
                for (Chunk c; (c = queue.take()) != END; ) {
                    for (long wait; (wait = c.dueNanos() - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                    out.write(c.data(), 0, c.length());
                }
                to.shutdownOutput(); // pass the end of the stream on, after everything before it
                if (openDirections.decrementAndGet() == 0) {
                    close(from);
                    close(to);
                    sockets.remove(from);
                    sockets.remove(to);
                }
            } catch (IOException | InterruptedException e) {
                close(from);
                close(to);
            }
        }, "delay-line-write");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        sockets.forEach(DelayLine::close);
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code DelayLine LISTEN_PORT TARGET_HOST TARGET_PORT ONE_WAY_MS}: runs until killed. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: DelayLine LISTEN_PORT TARGET_HOST TARGET_PORT ONE_WAY_MS (got " + Arrays.toString(args) + ")");
            System.exit(2);
        }
        try (DelayLine d = new DelayLine(new InetSocketAddress(Integer.parseInt(args[0])),
                new InetSocketAddress(args[1], Integer.parseInt(args[2])), Math.round(Double.parseDouble(args[3]) * 1e6))) {
            Path slack = Path.of("/proc/self/timerslack_ns");
            if (Files.isReadable(slack) && Long.parseLong(Files.readString(slack, StandardCharsets.US_ASCII).strip()) > 1000) {
                System.err.println("delay line: timer slack " + Files.readString(slack, StandardCharsets.US_ASCII).strip()
                        + " ns: each direction may wake up that late; start it with DelayLine.command");
            }
            System.out.println("delay line ready " + d.port());
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
