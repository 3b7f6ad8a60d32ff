package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.onnx.Sessions;

/** The client against a real agent on loopback, and against a server that breaks the protocol in each way it can. */
class InferenceClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String METADATA = """
            {"name": "m", "platform": "fake", "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4]}],
             "outputs": [{"name": "y", "datatype": "FP32", "shape": [1, 4]}]}""";
    private static final NamedTensor X = NamedTensor.floats("x", new float[] {1, 2, 3, 4}, 1, 4);

    @TempDir
    Path dir;

    @Test
    void roundTripAgainstTheAgentBinaryAndJson() throws Exception {
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge",
                Map.of("double", AgentModels.doubler(dir, 4)), Sessions.Settings.oneThread()))) {
            for (boolean binary : new boolean[] {true, false}) {
                InferenceClient c = InferenceClient.connect(agent.endpoint(), "double", TIMEOUT, binary);
                assertEquals("[x:FP32[1, 4]]", c.metadata().inputs().toString());
                for (int i = 0; i < 3; i++) {
                    Map<String, NamedTensor> out = c.infer(List.of(X));
                    assertArrayEquals(new float[] {2, 4, 6, 8}, out.get("y").toFloats());
                }
                InferenceException e = assertThrows(InferenceException.class,
                        () -> c.infer(List.of(NamedTensor.floats("x", new float[3], 1, 3))));
                assertTrue(e.getMessage().contains("refused to send") && e.getMessage().contains("expected [1, 4]"), e.getMessage());
            }
            InferenceException e = assertThrows(InferenceException.class,
                    () -> InferenceClient.connect(agent.endpoint(), "resnet", TIMEOUT));
            assertTrue(e.getMessage().startsWith("model 'resnet' at " + agent.endpoint()), e.getMessage());
            assertTrue(e.getMessage().contains("404") && e.getMessage().contains("served: double"), e.getMessage());
        }
    }

    @Test
    void requestAboveTheAgentsLimitFailsFastNotHangs() throws Exception {
        Path model = AgentModels.doubler(dir, 100_000);
        try (TierAgent agent = TierAgent.start(new TierAgent.Config("edge", new InetSocketAddress("127.0.0.1", 0),
                Map.of("double", model), Sessions.Settings.oneThread(), 64 * 1024, Duration.ofSeconds(10), 2))) {
            InferenceClient c = InferenceClient.connect(agent.endpoint(), "double", TIMEOUT);
            long start = System.nanoTime();
            InferenceException e = assertThrows(InferenceException.class,
                    () -> c.infer(List.of(NamedTensor.floats("x", new float[100_000], 1, 100_000))));
            assertTrue(e.getMessage().contains("413") || e.getMessage().contains("connection failed"), e.getMessage());
            assertTrue(System.nanoTime() - start < TIMEOUT.toNanos(), "answered before the client's timeout");
        }
    }

    @Test
    void unreachableHost() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        InferenceException e = assertThrows(InferenceException.class, () -> InferenceClient.connect(endpoint, "m", TIMEOUT));
        assertTrue(e.getMessage().startsWith("model 'm' at " + endpoint + ": unreachable"), e.getMessage());
    }

    @Test
    void notReadyServer() throws Exception {
        try (FakeServer s = new FakeServer(path -> FakeServer.answer(503, "{\"error\": \"loading\"}"))) {
            InferenceException e = assertThrows(InferenceException.class, () -> InferenceClient.connect(s.endpoint(), "m", TIMEOUT));
            assertTrue(e.getMessage().contains(s.endpoint().toString()) && e.getMessage().contains("server is not ready")
                    && e.getMessage().contains("503") && e.getMessage().contains("loading"), e.getMessage());
        }
    }

    /** A server with valid health and metadata whose infer answer is {@code infer}. */
    private static Function<String, byte[]> answering(byte[] infer) {
        return path -> path.endsWith("/infer") ? infer
                : path.equals("/v2/models/m") ? FakeServer.answer(200, METADATA) : FakeServer.answer(200, "{}");
    }

    private static InferenceException inferAgainst(byte[] infer, Duration timeout) throws Exception {
        try (FakeServer s = new FakeServer(answering(infer))) {
            InferenceClient c = InferenceClient.connect(s.endpoint(), "m", timeout);
            InferenceException e = assertThrows(InferenceException.class, () -> c.infer(List.of(X)));
            assertTrue(e.getMessage().startsWith("model 'm' at " + s.endpoint() + ": "), e.getMessage());
            return e;
        }
    }

    @Test
    void wrongShapeAnswered() throws Exception {
        InferenceException e = inferAgainst(FakeServer.answer(200, """
                {"outputs": [{"name": "y", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}"""), TIMEOUT);
        assertTrue(e.getMessage().contains("answered tensor 'y' has shape [1, 3], expected [1, 4]"), e.getMessage());
    }

    @Test
    void wrongTypeAnswered() throws Exception {
        InferenceException e = inferAgainst(FakeServer.answer(200, """
                {"outputs": [{"name": "y", "datatype": "INT32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}"""), TIMEOUT);
        assertTrue(e.getMessage().contains("datatype INT32, expected FP32"), e.getMessage());
    }

    @Test
    void missingOutputAnswered() throws Exception {
        InferenceException e = inferAgainst(FakeServer.answer(200, "{\"outputs\": []}"), TIMEOUT);
        assertTrue(e.getMessage().contains("lacks output 'y'"), e.getMessage());
    }

    @Test
    void truncatedBinaryFrame() throws Exception {
        byte[] json = """
                {"outputs": [{"name": "y", "datatype": "FP32", "shape": [1, 4], "parameters": {"binary_data_size": 16}}]}"""
                .getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(json, json.length + 8); // 8 of the 16 bytes
        InferenceException e = inferAgainst(FakeServer.answer(200, Oip.HEADER_LENGTH + ": " + json.length + "\r\n", body), TIMEOUT);
        assertTrue(e.getMessage().contains("truncated: binary_data_size is 16 but only 8 bytes"), e.getMessage());
    }

    @Test
    void connectionClosedMidBody() throws Exception {
        byte[] full = FakeServer.answer(200, "{\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [1, 4], \"data\": [1, 2, 3, 4]}]}");
        InferenceException e = inferAgainst(Arrays.copyOf(full, full.length - 20), TIMEOUT);
        assertTrue(e.getMessage().contains("connection failed during POST /v2/models/m/infer"), e.getMessage());
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws Exception {
        long start = System.nanoTime();
        InferenceException e = inferAgainst(null, Duration.ofMillis(300));
        assertTrue(e.getMessage().contains("timed out: no complete answer within 300 ms"), e.getMessage());
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
    }

    @Test
    void serverErrorIsPassedOn() throws Exception {
        InferenceException e = inferAgainst(FakeServer.answer(500, "{\"error\": \"out of memory\"}"), TIMEOUT);
        assertTrue(e.getMessage().contains("HTTP 500") && e.getMessage().contains("out of memory"), e.getMessage());
    }
}
