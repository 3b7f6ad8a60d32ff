package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The delay line on loopback: a round trip pays twice the one-way delay, and bytes arrive whole and in order. */
class DelayLineTest {
    @Test
    void roundTripPaysTwiceTheDelayAndDataArrivesIntact() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (Exception e) {
                    // the test ended
                }
            });
            server.setDaemon(true);
            server.start();
            try (DelayLine line = new DelayLine(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()), 10_000_000L);
                 Socket client = new Socket(InetAddress.getLoopbackAddress(), line.port())) {
                client.setTcpNoDelay(true);
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                long[] rtt = new long[7];
                for (int i = 0; i < rtt.length; i++) {
                    long start = System.nanoTime();
                    out.write(i);
                    assertEquals(i, in.read());
                    rtt[i] = System.nanoTime() - start;
                }
                Arrays.sort(rtt);
                // never faster than the delay; the fastest round trip (load only adds time) near it
                assertTrue(rtt[0] >= 20_000_000L && rtt[0] < 35_000_000L, "fastest round trip " + rtt[0] / 1e6 + " ms for 10 ms each way");

                byte[] payload = new byte[1 << 20];
                new SplittableRandom(5).nextBytes(payload);
                Thread writer = new Thread(() -> {
                    try {
                        out.write(payload);
                        client.shutdownOutput();
                    } catch (Exception e) {
                        // the read below fails then
                    }
                });
                writer.start();
                byte[] back = in.readAllBytes();
                writer.join();
                assertArrayEquals(payload, back, "1 MB echoed through the line, whole and in order");
            }
        }
    }
}
