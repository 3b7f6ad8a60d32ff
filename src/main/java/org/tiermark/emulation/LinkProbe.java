package org.tiermark.emulation;

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
import java.nio.charset.StandardCharsets;

/**
 * A payload transfer across an emulated link, run as two processes inside the tiers' namespaces:
 * {@code sink PORT} accepts connections and answers each message with one byte once it has all of it;
 * {@code send HOST PORT BYTES COUNT [new-connection]} sends COUNT messages of BYTES and prints, per
 * message, the nanoseconds from its first byte written to the answer read (one line each). With
 * {@code new-connection} each message opens its own connection (as the studies' clients did), and the
 * time includes the TCP handshake. {@code driver} reads such {@code HOST PORT BYTES COUNT [new-connection]}
 * lines from its input and answers each with the timings and a line {@code end}, so one process can
 * measure many cells.
 */
public final class LinkProbe {
    private LinkProbe() {}

    public static void main(String[] args) throws IOException {
        if (args.length >= 2 && args[0].equals("sink")) {
            sink(Integer.parseInt(args[1]));
        } else if (args.length >= 5 && args[0].equals("send")) {
            send(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]),
                    args.length > 5 && args[5].equals("new-connection"));
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
            System.err.println("usage: LinkProbe sink PORT | send HOST PORT BYTES COUNT [new-connection] | driver");
            System.exit(2);
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

    private static void send(String host, int port, long bytes, int count, boolean newConnection) throws IOException {
        byte[] payload = new byte[(int) Math.min(bytes, 1 << 20)];
        Socket s = null;
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
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                InputStream in = s.getInputStream();
                out.writeLong(bytes);
                for (long left = bytes; left > 0; left -= payload.length) {
                    out.write(payload, 0, (int) Math.min(payload.length, left));
                }
                out.flush();
                if (in.read() != 1) {
                    throw new IOException("the sink closed the connection before answering");
                }
                System.out.println(System.nanoTime() - start);
                System.out.flush();
            }
        } finally {
            if (s != null) {
                s.close();
            }
        }
    }
}
