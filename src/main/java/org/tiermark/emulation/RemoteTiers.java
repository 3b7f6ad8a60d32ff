package org.tiermark.emulation;

import ai.onnxruntime.OrtEnvironment;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tiermark.InvalidInputException;
import org.tiermark.emulation.grpc.GRPCInferenceServiceGrpc;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerReadyRequest;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.LocalStage;
import org.tiermark.runtime.Stage;
import org.tiermark.tier.DeploymentProfile;
import org.tiermark.tier.Profiles;
import org.tiermark.tier.TierProfile;

/**
 * Deployments on remote tiers: every stage off the origin is served at its tier profile's {@code endpoint} by
 * an Open Inference Protocol server (a {@code tiermark agent} there, Triton, OpenVINO Model Server, ...), under
 * the model name {@link #servedModel}; the origin's stages run in this process, which is the origin. Before a
 * run the suite checks that every endpoint is ready and measures each one's round trip and throughput ({@link #probe}).
 */
public final class RemoteTiers {
    private static final int ROUND_TRIPS = 10;

    private RemoteTiers() {}

    /**
     * The model name stage {@code i} of {@code variant} is served under at a remote tier:
     * {@code <model>.<operator>.stage<i>} with '+' written '_' (model names travel in URL paths), e.g.
     * {@code minilm-l6.sptq_partition.stage1}.
     */
    public static String servedModel(Variant variant, int i) {
        return servedModel(variant.model(), variant.operator(), i);
    }

    /** As {@link #servedModel(Variant, int)} from the names. */
    public static String servedModel(String model, String operator, int i) {
        return model + "." + operator.replace('+', '_') + ".stage" + i;
    }

    /** The endpoint of {@code tier}, or an error naming the tier's profile when it has none. */
    public static URI endpoint(Profiles profiles, String tier) {
        TierProfile t = profiles.tier(tier);
        return t.endpointUri().orElseThrow(() -> new InvalidInputException("links 'remote': tier '" + tier + "' ("
                + profiles.root().resolve("tiers").resolve(tier + ".json") + ") names no \"endpoint\": add e.g. "
                + "\"endpoint\": \"http://host:8000\" where a server of that tier serves its stages"));
    }

    /**
     * Opens the origin's stages in this process and every other stage at its tier's endpoint. A stage whose
     * previous stage is on another tier off the origin is relayed to by that stage's server (a tiermark agent
     * started with {@code --next}), which the runner checks on every request.
     */
    public static Stage.Opener opener(OrtEnvironment env, Profiles profiles, Variant variant, Duration timeout) {
        Stage.Opener local = LocalStage.opener(env);
        // the runner opens the stages in order: the tier of each one opened so far
        Map<Integer, String> opened = new HashMap<>();
        return (index, file, tier) -> {
            opened.put(index, tier.name());
            if (tier.name().equals(DeploymentProfile.ORIGIN)) {
                return local.open(index, file, tier);
            }
            URI endpoint = endpoint(profiles, tier.name());
            String previous = opened.get(index - 1);
            if (previous != null && !previous.equals(DeploymentProfile.ORIGIN)) {
                return new RelayedStage("model '" + servedModel(variant, index) + "' at " + endpoint + ", relayed to by the agent of tier '"
                        + previous + "'");
            }
            try {
                return RemoteStage.opener(env, i -> new RemoteStage.Served(endpoint, servedModel(variant, i)), timeout)
                        .open(index, file, tier);
            } catch (RuntimeException e) {
                throw new InvalidInputException("stage " + index + " on remote tier '" + tier.name() + "' (" + endpoint + "): "
                        + e.getMessage(), e);
            }
        };
    }

    /**
     * What the first hop of {@code model}'s {@code operator} carries when its first stage is served at remote
     * {@code tier} under {@code served}: {@code "raw"} when the server advertises the one BYTES input of a
     * raw-input stage (the encoded image or text crosses, preprocessing runs there, as the simulated model
     * charges it); otherwise the prepared tensors cross and the returned sentence says why, for a warning.
     * A server that cannot be asked is reported, not refused: the cell fails on its own, naming tier and endpoint.
     */
    public static String firstHop(Profiles profiles, String tier, String served, Duration timeout) {
        URI endpoint = endpoint(profiles, tier);
        try (ModelClient client = ModelClient.connect(endpoint, served, timeout)) {
            List<Oip.TensorSpec> inputs = client.metadata().inputs();
            if (inputs.size() == 1 && inputs.get(0).datatype() == Datatype.BYTES) {
                return "raw";
            }
            return "prepared tensors: model '" + served + "' at " + endpoint + " does not advertise the BYTES input '"
                    + ServedModel.RAW_INPUT + "' (its inputs: " + inputs + "), so the origin preprocesses and the first hop "
                    + "carries the prepared tensors instead of the raw input the simulated model charges";
        } catch (RuntimeException e) {
            return "not checked: " + e.getMessage();
        }
    }

    /**
     * Readiness and round trip of {@code tier}'s endpoint: {@code GET /v2/health/ready} (REST) must answer 200, or
     * the gRPC service's {@code ServerReady} (grpc://) true (else an
     * {@link InvalidInputException} naming tier and endpoint); then the median and spread of {@value #ROUND_TRIPS}
     * such requests over one kept-alive connection (one channel) (the link's round trip plus the server's least work);
     * then the link's throughput through the server's {@code tiermark-probe} model ({@link LinkThroughput}), or
     * {@code throughput: "not measured (...)"} where the server has none (Triton, OpenVINO Model Server).
     */
    public static Map<String, Object> probe(Profiles profiles, String tier, Duration timeout) {
        URI endpoint = endpoint(profiles, tier);
        long[] nanos = "grpc".equals(endpoint.getScheme()) ? probeGrpc(tier, endpoint, timeout) : probeRest(tier, endpoint, timeout);
        Arrays.sort(nanos);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("endpoint", endpoint.toString());
        out.put("transport", "grpc".equals(endpoint.getScheme()) ? "grpc" : "rest");
        out.put("ready", true);
        out.put("roundTripMedianMs", nanos[ROUND_TRIPS / 2] / 1e6);
        out.put("roundTripMinMs", nanos[0] / 1e6);
        out.put("roundTripMaxMs", nanos[ROUND_TRIPS - 1] / 1e6);
        out.putAll(LinkThroughput.measure(endpoint, timeout));
        return out;
    }

    /** One line for the console of what {@link #probe} found: endpoint, round trip, throughput or why it was not measured. */
    public static String describe(String tier, Map<String, Object> probe) {
        Object mbps = probe.get("throughputMbps");
        return String.format(Locale.ROOT, "link to tier '%s' at %s: round trip %.3f ms (median), throughput: %s", tier,
                probe.get("endpoint"), (Double) probe.get("roundTripMedianMs"),
                mbps == null ? probe.get("throughput") : String.format(Locale.ROOT,
                        "%.1f Mbit/s of payload (from the medians of %s requests of each of %s bytes)",
                        (Double) mbps, probe.get("throughputRepeats"), probe.get("throughputPayloadBytes")));
    }

    /** {@code GET /v2/health/ready} {@value #ROUND_TRIPS} times after one that opens the connection; their times. */
    private static long[] probeRest(String tier, URI endpoint, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        HttpRequest ready = HttpRequest.newBuilder(endpoint.resolve("/v2/health/ready")).timeout(timeout).GET().build();
        long[] nanos = new long[ROUND_TRIPS];
        try {
            for (int i = -1; i < ROUND_TRIPS; i++) {
                long t = System.nanoTime();
                HttpResponse<byte[]> r = client.send(ready, HttpResponse.BodyHandlers.ofByteArray());
                long took = System.nanoTime() - t;
                if (r.statusCode() != 200) {
                    throw new InvalidInputException("links 'remote': tier '" + tier + "' at " + endpoint
                            + " is not ready (GET /v2/health/ready answered " + r.statusCode() + ")");
                }
                if (i >= 0) {
                    nanos[i] = took; // the first request opens the connection: not a round trip
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException("links 'remote': tier '" + tier + "' at " + endpoint + " is unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing " + endpoint, e);
        }
        return nanos;
    }

    /** The gRPC service's {@code ServerReady} {@value #ROUND_TRIPS} times on one channel after one that opens it; their times. */
    private static long[] probeGrpc(String tier, URI endpoint, Duration timeout) {
        ManagedChannel channel = NettyChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort()).usePlaintext().build();
        long[] nanos = new long[ROUND_TRIPS];
        try {
            GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            for (int i = -1; i < ROUND_TRIPS; i++) {
                long t = System.nanoTime();
                boolean ready = stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                        .serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
                long took = System.nanoTime() - t;
                if (!ready) {
                    throw new InvalidInputException("links 'remote': tier '" + tier + "' at " + endpoint
                            + " is not ready (ServerReady answered false)");
                }
                if (i >= 0) {
                    nanos[i] = took; // the first call opens the channel: not a round trip
                }
            }
        } catch (StatusRuntimeException e) {
            throw new InvalidInputException("links 'remote': tier '" + tier + "' at " + endpoint + " is unreachable (ServerReady answered "
                    + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()) + ")", e);
        } finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return nanos;
    }
}
