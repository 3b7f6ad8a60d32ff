package org.tiermark.emulation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of one model on a server that speaks the Open Inference Protocol (KServe v2) REST API:
 * a tiermark {@link TierAgent}, Triton, OpenVINO Model Server, MLServer. {@link #connect} checks that the
 * server and the model are ready and reads the model's metadata; {@link #infer} sends named tensors
 * as binary data over a kept-alive connection ({@link Http11Connection}: blocking, on the caller's thread) and checks every answered tensor against that
 * metadata. Every failure is an {@link InferenceException} naming the endpoint and the model.
 */
public final class InferenceClient implements ModelClient {
    private final URI endpoint;
    private final String model;
    private final Duration timeout;
    private final HttpClient http;
    private final Http11Connection connection;
    private final boolean binary;
    private final AtomicLong ids = new AtomicLong();
    private Oip.ModelMetadata metadata;
    private long relayedBytes = -1;

    private InferenceClient(URI endpoint, String model, Duration timeout, boolean binary) {
        this.endpoint = endpoint;
        this.model = model;
        this.timeout = timeout;
        this.binary = binary;
        this.connection = new Http11Connection(endpoint, timeout);
        this.http = HttpClient.newBuilder()
                // the agent and model servers speak HTTP/1.1 in clear: no h2c upgrade round
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                // completions run on the client's selector thread instead of a pool: one thread hand-off
                // less per request (the body handler only collects bytes, so nothing slow runs there)
                .executor(Runnable::run)
                .build();
    }

    /** Connects with binary tensors; {@code timeout} bounds connecting and each request. */
    public static InferenceClient connect(URI endpoint, String model, Duration timeout) {
        return connect(endpoint, model, timeout, true);
    }

    /** As {@link #connect(URI, String, Duration)}; with {@code binary} false every tensor travels as JSON. */
    public static InferenceClient connect(URI endpoint, String model, Duration timeout, boolean binary) {
        if (endpoint.getScheme() == null || !endpoint.getScheme().equals("http") || endpoint.getHost() == null) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' must be http://host:port");
        }
        InferenceClient c = new InferenceClient(endpoint, model, timeout, binary);
        c.checkReady();
        return c;
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public long lastRelayedBytes() {
        return relayedBytes;
    }

    @Override
    public Oip.ModelMetadata metadata() {
        return metadata;
    }

    private void checkReady() {
        HttpResponse<byte[]> server = get("/v2/health/ready");
        if (server.statusCode() != 200) {
            throw fail("server is not ready (GET /v2/health/ready answered " + server.statusCode() + errorOf(server) + ")", null);
        }
        HttpResponse<byte[]> m = get("/v2/models/" + model + "/ready");
        if (m.statusCode() != 200) {
            throw fail("model is not ready (GET /v2/models/" + model + "/ready answered " + m.statusCode() + errorOf(m) + ")", null);
        }
        HttpResponse<byte[]> md = get("/v2/models/" + model);
        if (md.statusCode() != 200) {
            throw fail("no metadata (GET /v2/models/" + model + " answered " + md.statusCode() + errorOf(md) + ")", null);
        }
        try {
            metadata = Oip.parseMetadata(md.body(), "metadata");
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage(), e);
        }
    }

    @Override
    public Map<String, NamedTensor> infer(Collection<NamedTensor> inputs) {
        String problem = ClientChecks.inputProblem(metadata, inputs);
        if (problem != null) {
            throw fail(problem, null);
        }
        Oip.Body body = Oip.request(Long.toString(ids.incrementAndGet()), inputs, binary);
        Map<String, String> headers = body.binary()
                ? Map.of("Content-Type", "application/octet-stream", Oip.HEADER_LENGTH, Integer.toString(body.headerLength()))
                : Map.of("Content-Type", "application/json");
        Http11Connection.Response response = post("/v2/models/" + model + "/infer", headers, body.bytes());
        if (response.status() != 200) {
            throw fail("inference answered HTTP " + response.status() + errorOf(response.body()), null);
        }
        int headerLength;
        try {
            headerLength = response.header(Oip.HEADER_LENGTH).map(v -> Integer.parseInt(v.trim())).orElse(-1);
        } catch (NumberFormatException e) {
            throw fail("malformed " + Oip.HEADER_LENGTH + " header in the answer", e);
        }
        Oip.Message answer;
        try {
            answer = Oip.parse(response.body(), headerLength, "outputs", "answer");
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage(), e);
        }
        JsonNode relayed = answer.header().path("parameters").get(ServedModel.RELAYED_BYTES);
        relayedBytes = relayed == null ? -1 : relayed.asLong(-1);
        try {
            return ClientChecks.answer(metadata, answer.tensors());
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage(), e);
        }
    }

    private HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(timeout).GET().build());
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        String what = request.method() + " " + request.uri().getPath();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            throw fail("unreachable: no connection within " + timeout.toMillis() + " ms (" + what + ")", e);
        } catch (HttpTimeoutException e) {
            throw fail("timed out: no complete answer within " + timeout.toMillis() + " ms (" + what + ")", e);
        } catch (ConnectException e) {
            throw fail("unreachable: " + (e.getMessage() == null ? "connection refused" : e.getMessage()) + " (" + what + ")", e);
        } catch (IOException e) {
            throw fail("connection failed during " + what + " (truncated or reset answer): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail("interrupted during " + what, e);
        }
    }

    /** An inference over the kept connection, on this thread (see {@link Http11Connection}). */
    private Http11Connection.Response post(String path, Map<String, String> headers, byte[] body) {
        String what = "POST " + path;
        try {
            return connection.exchange("POST", path, headers, body);
        } catch (Http11Connection.Unreachable e) {
            throw fail("unreachable: " + e.getMessage() + " (" + what + ")", e);
        } catch (SocketTimeoutException e) {
            throw fail("timed out: no complete answer within " + timeout.toMillis() + " ms (" + what + ")", e);
        } catch (IOException e) {
            throw fail("connection failed during " + what + " (truncated or reset answer): " + e, e);
        }
    }

    /** Closes the kept inference connection. */
    @Override
    public void close() {
        connection.close();
    }

    private static String errorOf(HttpResponse<byte[]> r) {
        return errorOf(r.body());
    }

    private static String errorOf(byte[] bytes) {
        String body = new String(bytes, StandardCharsets.UTF_8);
        return body.isBlank() ? "" : ": " + (body.length() > 500 ? body.substring(0, 500) + "..." : body);
    }

    private InferenceException fail(String problem, Throwable cause) {
        return new InferenceException(endpoint, model, problem, cause);
    }
}
