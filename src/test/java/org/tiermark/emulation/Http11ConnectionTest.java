package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The blocking HTTP/1.1 connection against servers written by hand: kept alive, closed between requests, chunked, silent. */
class Http11ConnectionTest {
    /** Answers {@code perConnection} requests per connection (then closes it) with {@code answer}; counts connections. */
    private static ServerSocket server(AtomicInteger connections, int perConnection, String answer) throws IOException {
        ServerSocket ss = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    connections.incrementAndGet();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < perConnection; i++) {
                        int length = 0;
                        String line = in.readLine();
                        if (line == null) {
                            break;
                        }
                        while (!(line = in.readLine()).isEmpty()) {
                            if (line.toLowerCase().startsWith("content-length:")) {
                                length = Integer.parseInt(line.substring(15).strip());
                            }
                        }
                        in.skip(length);
                        out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    private static Http11Connection to(ServerSocket ss, Duration timeout) {
        return new Http11Connection(URI.create("http://127.0.0.1:" + ss.getLocalPort()), timeout);
    }

    @Test
    void keepsOneConnectionAndOpensAnotherWhenTheServerClosedIt() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket ss = server(connections, 3, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\nok")) {
            try (Http11Connection c = to(ss, Duration.ofSeconds(5))) {
                for (int i = 0; i < 7; i++) {
                    Http11Connection.Response r = c.exchange("POST", "/x", Map.of("Content-Type", "application/json"), new byte[100]);
                    assertEquals(200, r.status());
                    assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), r.body());
                    assertEquals("b", r.header("x-a").orElseThrow());
                }
            }
            assertEquals(3, connections.get(), "3 requests per connection: 7 requests need 3 connections");
        }
    }

    @Test
    void readsChunkedAnswersAndHonoursConnectionClose() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket ss = server(connections, 5,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n")) {
            try (Http11Connection c = to(ss, Duration.ofSeconds(5))) {
                for (int i = 0; i < 2; i++) {
                    assertEquals("abcde", new String(c.exchange("GET", "/", Map.of(), new byte[0]).body(), StandardCharsets.US_ASCII));
                }
            }
            assertEquals(2, connections.get(), "Connection: close is honoured");
        }
    }

    @Test
    void aSilentServerTimesOutAndATruncatedAnswerIsNamed() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             Http11Connection c = to(silent, Duration.ofMillis(300))) {
            long t = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> c.exchange("GET", "/", Map.of(), new byte[0]));
            assertTrue(System.nanoTime() - t < 5_000_000_000L, "within the timeout, not forever");
        }
        try (ServerSocket ss = server(connections, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
             Http11Connection c = to(ss, Duration.ofSeconds(5))) {
            IOException e = assertThrows(IOException.class, () -> c.exchange("GET", "/", Map.of(), new byte[0]));
            assertTrue(e.getMessage().contains("truncated answer: 3 of 10"), e.getMessage());
        }
        ServerSocket gone = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        gone.close();
        try (Http11Connection c = to(gone, Duration.ofSeconds(2))) {
            assertThrows(Http11Connection.Unreachable.class, () -> c.exchange("GET", "/", Map.of(), new byte[0]));
        }
    }
}
