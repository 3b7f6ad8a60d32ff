package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.Sessions;

/** The agent speaks the Open Inference Protocol as written in its spec: requests are built by hand here, not by the client. */
class TierAgentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private TierAgent agent;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        agent = TierAgent.start(new TierAgent.Config("edge", new InetSocketAddress("127.0.0.1", 0),
                Map.of("double", AgentModels.doubler(dir, 4)), Sessions.Settings.oneThread(), 4096,
                Duration.ofSeconds(10), 2));
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(agent.endpoint().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> post(String path, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(agent.endpoint().resolve(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(r::header);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void healthReadinessAndMetadata() throws Exception {
        assertEquals(200, get("/v2/health/live").statusCode());
        assertEquals(200, get("/v2/health/ready").statusCode());
        assertEquals(200, get("/v2/models/double/ready").statusCode());
        JsonNode md = json(get("/v2/models/double"));
        assertEquals("double", md.get("name").asText());
        assertEquals("x", md.get("inputs").get(0).get("name").asText());
        assertEquals("FP32", md.get("inputs").get(0).get("datatype").asText());
        assertEquals("[1,4]", md.get("inputs").get(0).get("shape").toString());
        assertEquals("y", md.get("outputs").get(0).get("name").asText());
        assertTrue(json(get("/v2")).get("extensions").toString().contains("binary_tensor_data"));
    }

    @Test
    void jsonInference() throws Exception {
        String request = """
                {"id": "42", "inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [[1, 2.5, -3, 0]]}]}""";
        HttpResponse<byte[]> r = post("/v2/models/double/infer", request.getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode out = json(r);
        assertEquals("42", out.get("id").asText());
        assertEquals("double", out.get("model_name").asText());
        assertEquals("y", out.get("outputs").get(0).get("name").asText());
        assertEquals("[2.0,5.0,-6.0,0.0]", out.get("outputs").get(0).get("data").toString());
    }

    @Test
    void binaryInference() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        String header = """
                {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}],
                 "outputs": [{"name": "y", "parameters": {"binary_data": true}}]}""";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(h, h.length + 16);
        System.arraycopy(data.array(), 0, body, h.length, 16);
        HttpResponse<byte[]> r = post("/v2/models/double/infer", body, Map.of(Oip.HEADER_LENGTH, Integer.toString(h.length)));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        int json = Integer.parseInt(r.headers().firstValue(Oip.HEADER_LENGTH).orElseThrow());
        JsonNode out = JSON.readTree(Arrays.copyOf(r.body(), json));
        assertEquals(16, out.get("outputs").get(0).get("parameters").get("binary_data_size").asInt());
        float[] y = new float[4];
        ByteBuffer.wrap(r.body(), json, 16).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(y);
        assertArrayEquals(new float[] {2, 4, 6, 8}, y);
    }

    @Test
    void unknownModelIs404NamingTheServedOnes() throws Exception {
        HttpResponse<byte[]> r = get("/v2/models/resnet/ready");
        assertEquals(404, r.statusCode());
        String error = json(r).get("error").asText();
        assertTrue(error.contains("'resnet'") && error.contains("tier 'edge'") && error.contains("served: double"), error);
        assertEquals(404, post("/v2/models/resnet/infer", new byte[2], Map.of()).statusCode());
    }

    @Test
    void badRequestsAreRefusedWithTheReason() throws Exception {
        String wrongShape = """
                {"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""";
        HttpResponse<byte[]> r = post("/v2/models/double/infer", wrongShape.getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(400, r.statusCode());
        assertTrue(json(r).get("error").asText().contains("shape [1, 3], expected [1, 4]"), json(r).toString());

        String wrongType = """
                {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "INT32", "data": [1, 2, 3, 4]}]}""";
        r = post("/v2/models/double/infer", wrongType.getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(400, r.statusCode());
        assertTrue(json(r).get("error").asText().contains("datatype INT32, expected FP32"), json(r).toString());

        String truncated = """
                {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}]}""";
        byte[] h = truncated.getBytes(StandardCharsets.UTF_8);
        r = post("/v2/models/double/infer", Arrays.copyOf(h, h.length + 10), Map.of(Oip.HEADER_LENGTH, Integer.toString(h.length)));
        assertEquals(400, r.statusCode());
        assertTrue(json(r).get("error").asText().contains("truncated"), json(r).toString());

        r = post("/v2/models/double/infer", "{not json".getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(400, r.statusCode());
        assertTrue(json(r).get("error").asText().contains("malformed JSON"), json(r).toString());

        assertEquals(405, get("/v2/models/double/infer").statusCode());
    }

    @Test
    void tooLargeRequestIs413() throws Exception {
        HttpResponse<byte[]> r = post("/v2/models/double/infer", new byte[5000], Map.of());
        assertEquals(413, r.statusCode());
        assertTrue(json(r).get("error").asText().contains("limit of 4096 bytes"));
        // the agent still serves after refusing
        assertEquals(200, get("/v2/health/ready").statusCode());
    }

    @Test
    void inferenceSlowerThanTheTimeoutIsCancelled() throws Exception {
        try (TierAgent slow = TierAgent.start(new TierAgent.Config("cloud", new InetSocketAddress("127.0.0.1", 0),
                Map.of("slow", AgentModels.slow(dir, 64)), Sessions.Settings.oneThread(), 8L << 20,
                Duration.ofMillis(30), 1))) {
            float[] x = new float[512 * 512];
            Oip.Body body = Oip.request("1", List.of(NamedTensor.floats("x", x, 512, 512)), true);
            long start = System.nanoTime();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(slow.endpoint().resolve("/v2/models/slow/infer"))
                    .header(Oip.HEADER_LENGTH, Integer.toString(body.headerLength()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes())).build(), HttpResponse.BodyHandlers.ofByteArray());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertTrue(json(r).get("error").asText().contains("request timeout of 30 ms"));
            assertTrue(ms < 2000, "cancelled after " + ms + " ms");
        }
    }

    @Test
    void closeStopsListening() throws Exception {
        URI endpoint = agent.endpoint();
        agent.close();
        assertTrue(agent.models().isEmpty(), "every session closed");
        assertThrows(ConnectException.class, () -> new Socket(endpoint.getHost(), endpoint.getPort()).close());
    }

    @Test
    void badConfigurationIsRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TierAgent.Config.loopback("edge",
                Map.of("a/b", dir.resolve("x.onnx")), Sessions.Settings.oneThread()));
        assertTrue(e.getMessage().contains("'a/b'"));
        e = assertThrows(InvalidInputException.class, () -> TierAgent.start(TierAgent.Config.loopback("edge",
                Map.of("missing", dir.resolve("missing.onnx")), Sessions.Settings.oneThread())));
        assertTrue(e.getMessage().contains("missing.onnx"), e.getMessage());
    }
}
