package org.tiermark.emulation;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A deliberately misbehaving HTTP/1.1 server on loopback for client tests: for each request path the
 * handler returns the raw bytes to write (status line, headers, body, possibly wrong), or null to
 * hang without answering. The connection is closed after each answer.
 */
final class FakeServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Function<String, byte[]> handler;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FakeServer(Function<String, byte[]> handler) throws IOException {
        this.handler = handler;
        socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "fake-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** A complete response with {@code body}. */
    static byte[] answer(int status, String headers, byte[] body) {
        String head = "HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n" + headers + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    static byte[] answer(int status, String json) {
        return answer(status, "Content-Type: application/json\r\n", json.getBytes(StandardCharsets.UTF_8));
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "fake-server-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            String head = readHead(in);
            String path = head.split(" ")[1];
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
            byte[] reply = handler.apply(path);
            if (reply == null) {
                in.read(); // hang until the client or close() drops the connection
                return;
            }
            OutputStream out = s.getOutputStream();
            out.write(reply);
            out.flush();
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String s = b.toString(StandardCharsets.US_ASCII);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
        throw new IOException("connection closed before the request head ended");
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : open) {
            s.close();
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
