package org.tiermark.emulation;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A payload transfer across an emulated link, run as two processes inside the tiers' namespaces:
 * {@code sink PORT} accepts connections and answers each message with one byte once it has all of it;
 * {@code send HOST PORT BYTES COUNT [new-connection]} sends COUNT messages of BYTES and prints, per
 * message, the nanoseconds from its first byte written to the answer read (one line each). With
 * {@code new-connection} each message opens its own connection (as the studies' clients did), and the
 * time includes the TCP handshake. {@code driver} reads such {@code HOST PORT BYTES COUNT [new-connection]}
 * lines from its input and answers each with the timings and a line {@code end}, so one process can
 * measure many cells; without {@code new-connection} a line to the same HOST PORT as the line before goes on over
 * that line's connection. {@code relay PORT HOST HOSTPORT} is a tier on the way that relays whole messages
 * (store and forward, as a tier's agent does): it reads a message completely, then sends it on to the sink at
 * HOST:HOSTPORT over its own connection, and passes the answer back. {@code infer URL MODEL COUNT} runs COUNT inferences of MODEL at a server speaking
 * the Open Inference Protocol with zero-filled inputs of the declared shapes (-1 taken as 1), printing
 * the nanoseconds of each request.
 */
public final class LinkProbe {
    private LinkProbe() {}

    public static void main(String[] args) throws IOException {
        if (args.length >= 2 && args[0].equals("sink")) {
            sink(Integer.parseInt(args[1]));
        } else if (args.length >= 5 && args[0].equals("send")) {
            send(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]),
                    args.length > 5 && args[5].equals("new-connection"));
        } else if (args.length == 4 && args[0].equals("relay")) {
            relay(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
        } else if (args.length == 4 && args[0].equals("infer")) {
            infer(URI.create(args[1]), args[2], Integer.parseInt(args[3]));
        } else if (args.length == 1 && args[0].equals("driver")) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.strip().split(" ");
                send(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                        f.length > 4 && f[4].equals("new-connection"));
                System.out.println("end");
                System.out.flush();
            }
        } else {
            System.err.println("usage: LinkProbe sink PORT | send HOST PORT BYTES COUNT [new-connection] | driver "
                    + "| relay PORT HOST HOSTPORT | infer URL MODEL COUNT");
            System.exit(2);
        }
    }

    private static void infer(URI endpoint, String model, int count) {
        InferenceClient c = InferenceClient.connect(endpoint, model, Duration.ofSeconds(60));
        List<NamedTensor> inputs = new ArrayList<>();
        for (Oip.TensorSpec spec : c.metadata().inputs()) {
            long[] shape = spec.shape();
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = Math.max(shape[i], 1);
                elements *= shape[i];
            }
            inputs.add(new NamedTensor(spec.name(), spec.datatype(), shape,
                    ByteBuffer.allocate(Math.toIntExact(elements * spec.datatype().elementBytes()))));
        }
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            c.infer(inputs);
            System.out.println(System.nanoTime() - start);
            System.out.flush();
        }
    }

    private static void sink(int port) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            System.out.println("sink ready " + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                Thread t = new Thread(() -> drain(s), "sink");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void relay(int port, String host, int hostPort) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            System.out.println("relay ready " + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                Thread t = new Thread(() -> forwardWhole(s, host, hostPort), "relay");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void forwardWhole(Socket s, String host, int hostPort) {
        try (s; Socket next = new Socket(host, hostPort)) {
            s.setTcpNoDelay(true);
            next.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream onward = new DataOutputStream(next.getOutputStream());
            while (true) {
                long length = in.readLong();
                byte[] message = new byte[Math.toIntExact(length)];
                in.readFully(message);
                onward.writeLong(length);
                onward.write(message);
                onward.flush();
                int answer = next.getInputStream().read();
                if (answer < 0) {
                    return;
                }
                s.getOutputStream().write(answer);
                s.getOutputStream().flush();
            }
        } catch (IOException e) {
            // the sender closed the connection
        }
    }

    private static void drain(Socket s) {
        byte[] buffer = new byte[256 * 1024];
        try (s) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                long left = in.readLong();
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        return;
                    }
                    left -= n;
                }
                out.write(1);
                out.flush();
            }
        } catch (IOException e) {
            // the sender closed the connection
        }
    }

    /** What the sender hands its buffered stream at a time: less than the buffer (64 KB), see {@link #send}. */
    private static final int CHUNK_BYTES = 1 << 15;

    /** The driver's connection kept between its lines (kept-connection mode), and where it goes. */
    private static Socket kept;
    private static String keptTo = "";

    private static void send(String host, int port, long bytes, int count, boolean newConnection) throws IOException {
        byte[] payload = new byte[(int) Math.min(bytes, CHUNK_BYTES)];
        Socket s = null;
        if (!newConnection && kept != null && keptTo.equals(host + ":" + port) && !kept.isClosed()) {
            s = kept;
        }
        kept = null;
        try {
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                if (s == null || newConnection) {
                    if (s != null) {
                        s.close();
                    }
                    s = new Socket(host, port);
                    s.setTcpNoDelay(true);
                }
                // the length goes out with the first bytes of the message: written alone (TCP_NODELAY) it would be a
                // segment of its own, one more than the model counts, which can cost a new connection a slow-start round.
                // Chunks stay under the buffer's size: BufferedOutputStream writes a larger one straight through after
                // flushing what it holds, the length alone (until session 4 every message of 64 KB or more was sent so:
                // 100 KB as 71 segments, whose last needed a fourth round; docs/emulation.md)
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
                InputStream in = s.getInputStream();
                out.writeLong(bytes);
                for (long left = bytes; left > 0; left -= CHUNK_BYTES) {
                    out.write(payload, 0, (int) Math.min(CHUNK_BYTES, left));
                }
                out.flush();
                if (in.read() != 1) {
                    throw new IOException("the sink closed the connection before answering");
                }
                System.out.println(System.nanoTime() - start);
                System.out.flush();
            }
            if (!newConnection) {
                // the next line to the same sink goes on over this connection, as a kept-alive HTTP client's would
                kept = s;
                keptTo = host + ":" + port;
                s = null;
            }
        } finally {
            if (s != null) {
                s.close();
            }
        }
    }
}
