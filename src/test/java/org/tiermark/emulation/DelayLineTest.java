package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
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

    @Test
    void itsCommandStartsItWithATimerSlackOfOneNanosecond() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/timerslack_ns")), "Linux only");
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
            Process line = new ProcessBuilder(DelayLine.command("127.0.0.1", echo.getLocalPort(), 5))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                String ready = new BufferedReader(new InputStreamReader(line.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertTrue(ready != null && ready.startsWith("delay line ready "), "printed " + ready);
                // the slack every thread of the JVM inherits: without it each direction may wake up 50 us late
                assertEquals("1", Files.readString(Path.of("/proc/" + line.pid() + "/timerslack_ns")).strip());
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(ready.substring(17).strip()))) {
                    client.setTcpNoDelay(true);
                    long start = System.nanoTime();
                    client.getOutputStream().write(7);
                    assertEquals(7, client.getInputStream().read());
                    assertTrue(System.nanoTime() - start >= 10_000_000L, "a round trip pays twice the 5 ms");
                }
            } finally {
                line.destroyForcibly().waitFor();
            }
        }
    }
}
