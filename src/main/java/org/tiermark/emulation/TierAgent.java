package org.tiermark.emulation;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.tiermark.InvalidInputException;
import org.tiermark.data.Preprocessor;
import org.tiermark.onnx.Sessions;

/**
 * A tier agent: serves the stages placed on one tier over the Open Inference Protocol (KServe v2)
 * REST API, JSON and binary tensors, one ONNX Runtime session per stage (model), and the throughput probe
 * {@link ProbeModel} (model {@code tiermark-probe}) that lets a client measure the link. Health, readiness,
 * metadata and inference; requests above {@code maxRequestBytes} get 413, inference slower than the
 * request timeout is cancelled (504), a model it was not given gets 404. {@link #close()} stops the
 * server, waits for requests in flight and closes every session. Over 400 lines: the REST side (routing,
 * bounded reading, the mapping of failures to statuses) shares the agent's state and lifecycle; its gRPC
 * side is {@link GrpcAgent}.
 */
public final class TierAgent implements AutoCloseable {
    static {
        // without it the JDK server's small response writes wait for the client's delayed ACK:
        // a 40 ms Nagle stall per request was measured here
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // a client that stalls mid-request is cut by the server's own timer (JVM-wide, whole seconds,
        // read once when the JDK server class loads); `tiermark agent --timeout-ms` sets it to match
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "60");
        }
    }

    /**
     * What an agent serves and how.
     *
     * @param tier            the tier's name (in messages and the server metadata)
     * @param address         where to listen (port 0: any free port)
     * @param stages          model name -> ONNX file, one model per stage
     * @param settings        ONNX Runtime threads of every session
     * @param maxRequestBytes larger requests are refused with 413 before their body is read
     * @param requestTimeout  inference running longer is cancelled and answered with 504
     * @param workerThreads   requests handled at once
     * @param preprocessing   stage name -> how to make its preprocessor, for the stages that take the raw input
     *                        (one BYTES element: encoded image, UTF-8 text) and preprocess it on this tier: the
     *                        first stage of a deployment whose first hop carries the raw input
     * @param next            stage name -> the next stage it relays its outputs to (store and forward), for
     *                        consecutive stages on two tiers off the origin: the stage answers with the next one's outputs
     */
    public record Config(String tier, InetSocketAddress address, Map<String, Path> stages, Sessions.Settings settings,
                         long maxRequestBytes, Duration requestTimeout, int workerThreads,
                         Map<String, Supplier<Preprocessor>> preprocessing, Map<String, NextStage> next) {
        /** Without preprocessing or relaying: every stage takes its tensors and answers its outputs. */
        public Config(String tier, InetSocketAddress address, Map<String, Path> stages, Sessions.Settings settings,
                      long maxRequestBytes, Duration requestTimeout, int workerThreads) {
            this(tier, address, stages, settings, maxRequestBytes, requestTimeout, workerThreads, Map.of(), Map.of());
        }

        public Config {
            if (tier == null || tier.isBlank()) {
                throw new InvalidInputException("agent: a tier name is required");
            }
            if (stages.isEmpty()) {
                throw new InvalidInputException("agent for tier '" + tier + "': give at least one stage (NAME=FILE.onnx)");
            }
            for (String name : stages.keySet()) {
                if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                    throw new InvalidInputException("agent: stage name '" + name
                            + "' is not valid in a URL path; use letters, digits, '.', '_' and '-'");
                }
                if (name.equals(ProbeModel.NAME)) {
                    throw new InvalidInputException("agent: stage name '" + name + "' is the agent's own throughput probe; "
                            + "name the stage otherwise");
                }
            }
            stages = Map.copyOf(new LinkedHashMap<>(stages));
            if (maxRequestBytes < 1024) {
                throw new InvalidInputException("agent: maxRequestBytes must be >= 1024 (got " + maxRequestBytes + ")");
            }
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new InvalidInputException("agent: the request timeout must be positive (got " + requestTimeout + ")");
            }
            if (workerThreads < 1) {
                throw new InvalidInputException("agent: workerThreads must be >= 1 (got " + workerThreads + ")");
            }
            for (String name : preprocessing.keySet()) {
                if (!stages.containsKey(name)) {
                    throw new InvalidInputException("agent for tier '" + tier + "': preprocessing names stage '" + name
                            + "', which is not one of its stages " + stages.keySet());
                }
            }
            preprocessing = Map.copyOf(preprocessing);
            for (String name : next.keySet()) {
                if (!stages.containsKey(name)) {
                    throw new InvalidInputException("agent for tier '" + tier + "': --next names stage '" + name
                            + "', which is not one of its stages " + stages.keySet());
                }
            }
            next = Map.copyOf(next);
        }

        /** The same agent, with {@code stage} taking the raw input and preprocessing it with what {@code preprocessor} makes. */
        public Config withPreprocessing(String stage, Supplier<Preprocessor> preprocessor) {
            Map<String, Supplier<Preprocessor>> p = new LinkedHashMap<>(preprocessing);
            p.put(stage, preprocessor);
            return new Config(tier, address, stages, settings, maxRequestBytes, requestTimeout, workerThreads, p, next);
        }

        /** The same agent, with {@code stage} relaying its outputs to {@code to} and answering with that stage's outputs. */
        public Config withNext(String stage, NextStage to) {
            Map<String, NextStage> n = new LinkedHashMap<>(next);
            n.put(stage, to);
            return new Config(tier, address, stages, settings, maxRequestBytes, requestTimeout, workerThreads, preprocessing, n);
        }

        /** Loopback, any free port, 64 MB requests, 30 s timeout, 2 workers. */
        public static Config loopback(String tier, Map<String, Path> stages, Sessions.Settings settings) {
            return new Config(tier, new InetSocketAddress("127.0.0.1", 0), stages, settings, 64L << 20,
                    Duration.ofSeconds(30), 2);
        }
    }

    /**
     * The stage a relaying stage sends its outputs to: model {@code model} at {@code endpoint} (REST or gRPC), on
     * tier {@code tier} (named in errors of the second hop).
     */
    public record NextStage(String tier, URI endpoint, String model) {
        public NextStage {
            if (tier == null || tier.isBlank() || endpoint == null || model == null || model.isBlank()) {
                throw new InvalidInputException("agent: a next stage needs a tier, an endpoint and a model (got " + tier + ", "
                        + endpoint + ", " + model + ")");
            }
        }
    }

    private final Config config;
    private final OrtEnvironment env = Sessions.environment();
    private final Map<String, ServedModel> served = new LinkedHashMap<>();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private HttpServer server;
    private ExecutorService workers;
    private ScheduledExecutorService watchdog;
    private final List<AutoCloseable> transports = new CopyOnWriteArrayList<>();

    private TierAgent(Config config) {
        this.config = config;
    }

    /** Loads every stage, then listens; any failure closes what was opened. */
    public static TierAgent start(Config config) throws IOException, OrtException {
        TierAgent a = new TierAgent(config);
        try {
            for (Map.Entry<String, Path> e : new TreeMap<>(config.stages()).entrySet()) {
                Supplier<Preprocessor> pre = config.preprocessing().get(e.getKey());
                NextStage to = config.next().get(e.getKey());
                ServedModel.Next next = null;
                if (to != null) {
                    try {
                        next = new ServedModel.Next(to.tier(), ModelClient.connect(to.endpoint(), to.model(), config.requestTimeout()));
                    } catch (RuntimeException ex) {
                        throw new InvalidInputException("agent for tier '" + config.tier() + "': stage '" + e.getKey()
                                + "' cannot relay to tier '" + to.tier() + "': " + ex.getMessage(), ex);
                    }
                }
                a.served.put(e.getKey(), ServedModel.open(a.env, e.getKey(), e.getValue(), config.settings(),
                        pre == null ? null : pre.get(), next));
            }
            Path probe = ProbeModel.writeTemporary();
            try {
                a.served.put(ProbeModel.NAME, ServedModel.open(a.env, ProbeModel.NAME, probe, Sessions.Settings.oneThread(), null, null));
            } finally {
                Files.deleteIfExists(probe);
            }
            a.listen();
            a.ready.set(true);
            return a;
        } catch (IOException | OrtException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private void listen() throws IOException {
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(config.workerThreads(), r -> {
            Thread t = new Thread(r, "agent-" + config.tier() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-" + config.tier() + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        // one periodic check for all requests; a quarter of the timeout, between 1 and 100 ms
        long periodNanos = Math.max(1_000_000L, Math.min(100_000_000L, config.requestTimeout().toNanos() / 4));
        watchdog.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            served.values().forEach(m -> m.expire(now));
        }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        server = HttpServer.create(config.address(), 64);
        server.setExecutor(workers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://host:port} of this agent. */
    public URI endpoint() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String tier() {
        return config.tier();
    }

    /** The metadata of each served model, by name. */
    public Map<String, Oip.ModelMetadata> models() {
        Map<String, Oip.ModelMetadata> m = new LinkedHashMap<>();
        served.forEach((k, v) -> m.put(k, v.metadata()));
        return m;
    }

    /** The model served as {@code model}, or null (for the agent's other transports). */
    ServedModel served(String model) {
        return served.get(model);
    }

    boolean isReady() {
        return ready.get();
    }

    Config config() {
        return config;
    }

    /**
     * Another transport serving this agent's sessions ({@link GrpcAgent}): {@link #close()} closes it
     * first, so that no call of it still runs a session the agent closes.
     */
    void attach(AutoCloseable transport) {
        transports.add(transport);
    }

    /** Asks every inference in flight to stop. */
    void cancelRunning() {
        served.values().forEach(ServedModel::cancelRunning);
    }

    private void handle(HttpExchange x) throws IOException {
        try {
            String path = x.getRequestURI().getPath();
            String method = x.getRequestMethod();
            List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
            if (parts.size() < 2 || !parts.get(0).equals("v2")) {
                if (path.equals("/v2")) {
                    get(x, method, () -> serverMetadata());
                } else {
                    send(x, 404, Oip.error("no such endpoint: " + path + " (the agent serves the Open Inference Protocol under /v2)"));
                }
                return;
            }
            if (parts.get(1).equals("health") && parts.size() == 3 && parts.get(2).equals("live")) {
                get(x, method, () -> Oip.object());
            } else if (parts.get(1).equals("health") && parts.size() == 3 && parts.get(2).equals("ready")) {
                if (ready.get()) {
                    get(x, method, () -> Oip.object());
                } else {
                    send(x, 503, Oip.error("agent for tier '" + config.tier() + "' is not ready"));
                }
            } else if (parts.get(1).equals("models") && parts.size() >= 3) {
                ServedModel s = served.get(parts.get(2));
                if (s == null) {
                    send(x, 404, Oip.error("model '" + parts.get(2) + "' is not served by the agent of tier '"
                            + config.tier() + "'; served: " + String.join(", ", served.keySet())));
                } else if (parts.size() == 3) {
                    get(x, method, () -> Oip.metadata(s.metadata()));
                } else if (parts.size() == 4 && parts.get(3).equals("ready")) {
                    get(x, method, () -> Oip.object().put("name", s.name()).put("ready", ready.get()));
                } else if (parts.size() == 4 && parts.get(3).equals("infer")) {
                    if (!method.equals("POST")) {
                        send(x, 405, Oip.error("infer takes POST, not " + method));
                    } else {
                        infer(x, s);
                    }
                } else {
                    send(x, 404, Oip.error("no such endpoint: " + path));
                }
            } else {
                send(x, 404, Oip.error("no such endpoint: " + path));
            }
        } catch (IOException e) {
            // the client went away or the server's timer cut a stalled request: nothing to answer
        } finally {
            x.close();
        }
    }

    private interface Json {
        JsonNode get();
    }

    private void get(HttpExchange x, String method, Json body) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            send(x, 405, Oip.error(x.getRequestURI().getPath() + " takes GET, not " + method));
            return;
        }
        send(x, 200, Oip.json(body.get()));
    }

    private ObjectNode serverMetadata() {
        ObjectNode n = Oip.object().put("name", "tiermark-agent").put("version", "1").put("tier", config.tier());
        n.putArray("extensions").add("binary_tensor_data");
        return n;
    }

    private void infer(HttpExchange x, ServedModel s) throws IOException {
        String where = "request to model '" + s.name() + "' on tier '" + config.tier() + "'";
        byte[] body = readBounded(x, where);
        if (body == null) {
            return;
        }
        Oip.Message request;
        Map<String, Boolean> outputs;
        try {
            request = Oip.parse(body, headerLength(x), "inputs", where);
            s.checkInputs(request.tensors(), where);
            outputs = s.requestedOutputs(request.header(), where);
        } catch (IllegalArgumentException e) {
            send(x, 400, Oip.error(e.getMessage()));
            return;
        }
        ServedModel.Ran results;
        try {
            results = s.run(request.tensors(), outputs.keySet(), config.requestTimeout(),
                    "model '" + s.name() + "' on tier '" + config.tier() + "'");
        } catch (ServedModel.TimeoutException e) {
            send(x, 504, Oip.error(e.getMessage()));
            return;
        } catch (IllegalArgumentException e) {
            // a raw input the preprocessing cannot read
            send(x, 400, Oip.error(where + ": " + e.getMessage()));
            return;
        } catch (OrtException | RuntimeException e) {
            send(x, 500, Oip.error(where + ": inference failed: " + e.getMessage()));
            return;
        }
        Set<String> binary = new HashSet<>();
        outputs.forEach((k, v) -> {
            if (v) {
                binary.add(k);
            }
        });
        JsonNode id = request.header().get("id");
        Oip.Body reply = Oip.response(s.name(), id == null ? null : id.asText(), results.outputs(), binary,
                results.relayedBytes());
        if (reply.binary()) {
            x.getResponseHeaders().set(Oip.HEADER_LENGTH, Integer.toString(reply.headerLength()));
            x.getResponseHeaders().set("Content-Type", "application/octet-stream");
        } else {
            x.getResponseHeaders().set("Content-Type", "application/json");
        }
        x.sendResponseHeaders(200, reply.bytes().length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(reply.bytes());
        }
    }

    /** The body, or null after answering 413 when it exceeds the limit. */
    private byte[] readBounded(HttpExchange x, String where) throws IOException {
        String length = x.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                send(x, 400, Oip.error(where + ": Content-Length '" + length + "' is not a number"));
                return null;
            }
        }
        if (declared > config.maxRequestBytes()) {
            refuseTooLarge(x, where + ": " + declared + " bytes exceed the agent's limit of "
                    + config.maxRequestBytes() + " bytes");
            return null;
        }
        try (InputStream in = x.getRequestBody()) {
            if (declared >= 0) {
                // the usual case: read straight into an array of the announced size, no growing buffer
                byte[] body = in.readNBytes((int) declared);
                if (body.length < declared) {
                    throw new IOException("the client sent " + body.length + " of " + declared + " bytes");
                }
                return body;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] chunk = new byte[64 * 1024];
            for (int n; (n = in.read(chunk)) > 0; ) {
                if (out.size() + n > config.maxRequestBytes()) {
                    refuseTooLarge(x, where + ": the body exceeds the agent's limit of " + config.maxRequestBytes() + " bytes");
                    return null;
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** 413, and the connection is closed: the client may still be sending a body nobody will read. */
    private static void refuseTooLarge(HttpExchange x, String message) throws IOException {
        x.getResponseHeaders().set("Connection", "close");
        send(x, 413, Oip.error(message));
    }

    private static int headerLength(HttpExchange x) {
        String v = x.getRequestHeaders().getFirst(Oip.HEADER_LENGTH);
        if (v == null) {
            return -1;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Oip.HEADER_LENGTH + " '" + v + "' is not a byte count");
        }
    }

    private static void send(HttpExchange x, int status, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/json");
        if (x.getRequestMethod().equals("HEAD")) {
            x.sendResponseHeaders(status, -1);
            return;
        }
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops listening, lets requests in flight finish (cancelling inference after 2 s), closes every session. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ready.set(false);
        for (AutoCloseable t : transports) {
            try {
                t.close();
            } catch (Exception e) {
                // closing is best effort: the agent is stopping anyway
            }
        }
        if (server != null) {
            server.stop(0);
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                    served.values().forEach(ServedModel::cancelRunning);
                    workers.shutdownNow();
                    workers.awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        served.values().forEach(ServedModel::close);
        served.clear();
    }
}
