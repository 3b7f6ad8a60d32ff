package org.tiermark.emulation;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.tiermark.emulation.grpc.GRPCInferenceServiceGrpc;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelInferResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelMetadataRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelReadyRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerReadyRequest;

/**
 * A client of one model over the Open Inference Protocol's gRPC service
 * ({@code inference.GRPCInferenceService}): a tiermark {@link GrpcAgent}, Triton, OpenVINO Model Server,
 * MLServer. One HTTP/2 channel in clear text; tensors as raw contents; each call has a deadline of the
 * client's timeout. The checks and the errors are those of {@link InferenceClient}.
 */
public final class GrpcClient implements ModelClient {
    private final URI endpoint;
    private final String model;
    private final Duration timeout;
    private final ManagedChannel channel;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
    private final AtomicLong ids = new AtomicLong();
    private Oip.ModelMetadata metadata;
    private long relayedBytes = -1;

    private GrpcClient(URI endpoint, String model, Duration timeout) {
        this.endpoint = endpoint;
        this.model = model;
        this.timeout = timeout;
        this.channel = NettyChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort())
                .usePlaintext()
                // an answer is as large as the model makes it; the server bounds what it accepts
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .build();
        this.stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    /** Connects to {@code grpc://host:port}, checks readiness and reads the metadata; {@code timeout} bounds each call. */
    public static GrpcClient connect(URI endpoint, String model, Duration timeout) {
        if (!"grpc".equals(endpoint.getScheme()) || endpoint.getHost() == null || endpoint.getPort() < 0) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' must be grpc://host:port");
        }
        GrpcClient c = new GrpcClient(endpoint, model, timeout);
        try {
            c.checkReady();
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void checkReady() {
        if (!call("ServerReady", () -> deadlined().serverReady(ServerReadyRequest.getDefaultInstance())).getReady()) {
            throw fail("server is not ready (ServerReady answered false)", null);
        }
        if (!call("ModelReady", () -> deadlined().modelReady(ModelReadyRequest.newBuilder().setName(model).build())).getReady()) {
            throw fail("model is not ready (ModelReady answered false)", null);
        }
        try {
            metadata = GrpcTensors.metadata(call("ModelMetadata",
                    () -> deadlined().modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build())));
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage(), e);
        }
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

    @Override
    public Map<String, NamedTensor> infer(Collection<NamedTensor> inputs) {
        String problem = ClientChecks.inputProblem(metadata, inputs);
        if (problem != null) {
            throw fail(problem, null);
        }
        var request = GrpcTensors.request(model, Long.toString(ids.incrementAndGet()), List.copyOf(inputs));
        ModelInferResponse response = call("ModelInfer", () -> deadlined().modelInfer(request));
        var relayed = response.getParametersMap().get(ServedModel.RELAYED_BYTES);
        relayedBytes = relayed == null ? -1 : relayed.getInt64Param();
        try {
            return ClientChecks.answer(metadata, GrpcTensors.outputs(response));
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage(), e);
        }
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub deadlined() {
        return stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs one call; a non-OK status becomes an {@link InferenceException} saying what happened. */
    private <T> T call(String rpc, Supplier<T> c) {
        try {
            return c.get();
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            String detail = s.getDescription() == null ? "" : ": " + s.getDescription();
            String problem = switch (s.getCode()) {
                case UNAVAILABLE -> "unreachable or gone (" + rpc + " answered UNAVAILABLE" + detail + ")";
                // the client's deadline and the server's own timeout both end as DEADLINE_EXCEEDED: the detail tells which
                case DEADLINE_EXCEEDED -> "timed out (" + rpc + " answered DEADLINE_EXCEEDED" + detail + "; the client's deadline is "
                        + timeout.toMillis() + " ms)";
                case NOT_FOUND -> "model is not served (" + rpc + " answered NOT_FOUND" + detail + ")";
                case INVALID_ARGUMENT -> "refused by the server (" + rpc + " answered INVALID_ARGUMENT" + detail + ")";
                case RESOURCE_EXHAUSTED -> "too large for the server (" + rpc + " answered RESOURCE_EXHAUSTED" + detail + ")";
                default -> rpc + " answered " + s.getCode() + detail;
            };
            throw fail(problem, e);
        }
    }

    /** Closes the channel, cancelling a call still in flight. */
    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private InferenceException fail(String problem, Throwable cause) {
        return new InferenceException(endpoint, model, problem, cause);
    }
}
