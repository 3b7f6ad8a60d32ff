package org.tiermark.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.tiermark.InvalidInputException;
import org.tiermark.Preprocessors;
import org.tiermark.emulation.GrpcAgent;
import org.tiermark.model.Catalog;
import org.tiermark.emulation.TierAgent;
import org.tiermark.onnx.Sessions;
import org.tiermark.tier.Profiles;

/** {@code tiermark agent}: serve the stages placed on one tier over the Open Inference Protocol until stopped. */
public final class AgentCommand implements Command {
    @Override
    public String name() {
        return "agent";
    }

    @Override
    public String summary() {
        return "serve stages of one tier over the Open Inference Protocol (KServe v2 REST with binary tensors, and gRPC)";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark agent --tier TIER --port N [options] NAME=FILE.onnx [NAME=FILE.onnx ...]

                Serves each ONNX file as model NAME under /v2/models/NAME (health, readiness, metadata, infer with
                JSON or binary tensors) and, with --grpc-port, as inference.GRPCInferenceService (raw tensor
                contents) until SIGTERM/SIGINT, then closes every session. Prints
                "agent ready TIER http://HOST:PORT [grpc://HOST:PORT]" once it serves.

                  --tier TIER          the tier it stands for; its profile gives the ONNX Runtime threads
                  --port N             TCP port of the REST API (0: any free port, printed)
                  --grpc-port N        TCP port of the gRPC service (0 or absent: no gRPC); same limits
                  --raw STAGE=MODEL    stage STAGE takes the raw input (one BYTES element "raw_input": encoded
                                       image or UTF-8 text) and runs catalog model MODEL's preprocessing on
                                       this tier first, as a deployment's first stage does; comma-separated for more
                  --next STAGE=TIER@ENDPOINT/MODEL
                                       stage STAGE relays its outputs to model MODEL served on tier TIER at
                                       ENDPOINT (http:// or grpc://) and answers with that model's outputs: store
                                       and forward between consecutive stages off the origin, e.g.
                                       head=cloud@http://198.18.0.6:8000/m.partition.stage1; comma-separated for more
                  --bind ADDR          address to listen on (default 127.0.0.1)
                  --home DIR           project folder with profiles/ (default: current directory)
                  --threads N          intra-op threads instead of the tier profile's (inter-op 1)
                  --max-request-mb N   larger requests are refused with 413 (default 64)
                  --timeout-ms N       inference is cancelled after N ms (504); a client stalling
                                       mid-request is cut after N ms rounded up to whole seconds (default 30000)
                  --workers N          requests handled at once (default 2)
                  --help               this text""";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(name(), argv,
                Set.of("tier", "port", "grpc-port", "raw", "next", "bind", "home", "threads", "max-request-mb", "timeout-ms", "workers"), Set.of());
        if (!a.has("tier") || !a.has("port")) {
            throw new InvalidInputException("--tier and --port are required (see tiermark agent --help)");
        }
        String tier = a.get("tier", null);
        int port = a.getInt("port", -1);
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port must be 0..65535 (got " + port + ")");
        }
        int grpcPort = a.getInt("grpc-port", 0);
        if (grpcPort < 0 || grpcPort > 65535) {
            throw new InvalidInputException("--grpc-port must be 0..65535, 0 for no gRPC (got " + grpcPort + ")");
        }
        Map<String, Path> stages = new LinkedHashMap<>();
        for (String s : a.positional()) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new InvalidInputException("stage '" + s + "' must be NAME=FILE.onnx");
            }
            Path file = Path.of(s.substring(eq + 1));
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("stage '" + s.substring(0, eq) + "': file " + file + " not found");
            }
            if (stages.put(s.substring(0, eq), file) != null) {
                throw new InvalidInputException("stage name '" + s.substring(0, eq) + "' given twice");
            }
        }
        Sessions.Settings settings;
        if (a.has("threads")) {
            int threads = a.getInt("threads", 1);
            if (threads < 1) {
                throw new InvalidInputException("--threads must be >= 1 (got " + threads + ")");
            }
            settings = Sessions.Settings.threads(threads, 1);
        } else {
            settings = Profiles.load(Path.of(a.get("home", ".")).resolve("profiles")).tier(tier).sessionSettings();
        }
        int timeoutMs = a.getInt("timeout-ms", 30_000);
        if (timeoutMs < 1) {
            throw new InvalidInputException("--timeout-ms must be >= 1 (got " + timeoutMs + ")");
        }
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            // read once when the JDK server loads, so it is set before the agent class touches it
            System.setProperty("sun.net.httpserver.maxReqTime", Long.toString((timeoutMs + 999) / 1000));
        }
        TierAgent.Config config = new TierAgent.Config(tier, new InetSocketAddress(a.get("bind", "127.0.0.1"), port),
                stages, settings, (long) a.getInt("max-request-mb", 64) << 20, Duration.ofMillis(timeoutMs),
                a.getInt("workers", 2));
        if (a.has("raw")) {
            Catalog catalog = Catalog.load(Path.of(a.get("home", ".")).resolve("models"));
            for (String r : a.get("raw", "").split(",")) {
                int eq = r.indexOf('=');
                if (eq <= 0 || eq == r.length() - 1) {
                    throw new InvalidInputException("--raw '" + r + "' must be STAGE=MODEL (a catalog model, e.g. head=resnet-fmnist)");
                }
                Catalog.Model model = catalog.model(r.substring(eq + 1));
                config = config.withPreprocessing(r.substring(0, eq), () -> Preprocessors.create(model, Sessions.environment()));
            }
        }
        if (a.has("next")) {
            for (String n : a.get("next", "").split(",")) {
                config = config.withNext(nextStageName(n), nextStage(n));
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        TierAgent agent = TierAgent.start(config);
        GrpcAgent grpc;
        try {
            grpc = grpcPort == 0 ? null : GrpcAgent.start(agent, new InetSocketAddress(config.address().getAddress(), grpcPort));
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
        Thread hook = new Thread(() -> {
            agent.close(); // closes its gRPC transport first
            stopped.countDown();
        }, "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("agent ready " + tier + " " + agent.endpoint() + (grpc == null ? "" : " " + grpc.endpoint())
                + " models: " + String.join(", ", agent.models().keySet()));
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static String nextStageName(String next) {
        int eq = next.indexOf('=');
        if (eq <= 0) {
            throw new InvalidInputException("--next '" + next + "' must be STAGE=TIER@ENDPOINT/MODEL, e.g. head=cloud@http://10.0.0.6:8000/tail");
        }
        return next.substring(0, eq);
    }

    /** The part after '=' of {@code --next STAGE=TIER@ENDPOINT/MODEL}. */
    private static TierAgent.NextStage nextStage(String next) {
        String bad = "--next '" + next + "' must be STAGE=TIER@ENDPOINT/MODEL with ENDPOINT http://host:port or grpc://host:port,"
                + " e.g. head=cloud@http://10.0.0.6:8000/tail";
        String to = next.substring(next.indexOf('=') + 1);
        int at = to.indexOf('@');
        if (at <= 0) {
            throw new InvalidInputException(bad);
        }
        URI uri;
        try {
            uri = new URI(to.substring(at + 1));
        } catch (URISyntaxException e) {
            throw new InvalidInputException(bad + " (" + e.getMessage() + ")");
        }
        String model = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || uri.getPort() < 1 || model.isEmpty() || model.contains("/")
                || !("http".equals(uri.getScheme()) || "grpc".equals(uri.getScheme()))) {
            throw new InvalidInputException(bad);
        }
        return new TierAgent.NextStage(to.substring(0, at), URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort()), model);
    }
}
