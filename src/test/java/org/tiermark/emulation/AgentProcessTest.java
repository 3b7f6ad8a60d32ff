package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tiermark agent} as its own process: serves, cuts a client that stalls mid-request, and stops cleanly on SIGTERM. */
class AgentProcessTest {
    @TempDir
    Path dir;

    @Test
    void servesCutsStalledClientsAndStopsOnSigterm() throws Exception {
        Path model = AgentModels.doubler(dir, 4);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        int grpcPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            grpcPort = free.getLocalPort();
        }
        Process p = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "org.tiermark.cli.Tiermark", "agent", "--tier", "edge", "--port", "0", "--threads", "1",
                "--timeout-ms", "1000", "--grpc-port", Integer.toString(grpcPort), "double=" + model)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("agent ready edge http://127.0.0.1:"), "printed: " + line);
            URI endpoint = URI.create(line.split(" ")[3]);
            URI grpc = URI.create(line.split(" ")[4]);
            assertEquals(URI.create("grpc://127.0.0.1:" + grpcPort), grpc, "printed: " + line);
            try (ModelClient g = ModelClient.connect(grpc, "double", Duration.ofSeconds(5))) {
                assertArrayEquals(new float[] {2, 4, 6, 8},
                        g.infer(List.of(NamedTensor.floats("x", new float[] {1, 2, 3, 4}, 1, 4))).get("y").toFloats());
            }

            InferenceClient c = InferenceClient.connect(endpoint, "double", Duration.ofSeconds(5));
            assertArrayEquals(new float[] {2, 4, 6, 8},
                    c.infer(List.of(NamedTensor.floats("x", new float[] {1, 2, 3, 4}, 1, 4))).get("y").toFloats());

            // announce 1000 bytes, send 10, then stall: the agent must drop the connection, not hold a worker forever
            try (Socket s = new Socket(endpoint.getHost(), endpoint.getPort())) {
                s.setSoTimeout(10_000);
                OutputStream o = s.getOutputStream();
                o.write(("POST /v2/models/double/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
                        .getBytes(StandardCharsets.US_ASCII));
                o.flush();
                long start = System.nanoTime();
                InputStream in = s.getInputStream();
                int first = in.read();
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(-1, first, "the connection is closed without an answer");
                assertTrue(ms < 5000, "closed after " + ms + " ms");
            }

            p.destroy(); // SIGTERM: the shutdown hook closes the agent
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the agent exits after SIGTERM");
            assertThrows(ConnectException.class, () -> new Socket(endpoint.getHost(), endpoint.getPort()).close());
            assertThrows(ConnectException.class, () -> new Socket(grpc.getHost(), grpc.getPort()).close());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
