package org.tiermark.emulation;

import ai.onnxruntime.OrtException;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.tiermark.emulation.grpc.GRPCInferenceServiceGrpc;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelInferRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelInferResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelMetadataRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelMetadataResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelReadyRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelReadyResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerLiveRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerLiveResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerMetadataRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerMetadataResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerReadyRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerReadyResponse;

/**
 * The gRPC transport of a {@link TierAgent}: serves the agent's models (the same sessions, limits and
 * request timeout) as the Open Inference Protocol's {@code inference.GRPCInferenceService} on a port of
 * its own, tensors as raw contents. A message above the agent's {@code maxRequestBytes} is refused by
 * gRPC itself (RESOURCE_EXHAUSTED); inference runs at most the agent's timeout or the client's deadline,
 * whichever is sooner (DEADLINE_EXCEEDED); a model the agent does not serve is NOT_FOUND, a request that
 * does not fit the metadata INVALID_ARGUMENT. Closing the agent closes it first.
 */
public final class GrpcAgent implements AutoCloseable {
    private final TierAgent agent;
    private final ExecutorService workers;
    private final Server server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private GrpcAgent(TierAgent agent, InetSocketAddress address) {
        this.agent = agent;
        TierAgent.Config config = agent.config();
        AtomicInteger n = new AtomicInteger();
        // the same number of requests at once as the REST side: inference must not run on netty's event loop
        this.workers = Executors.newFixedThreadPool(config.workerThreads(), r -> {
            Thread t = new Thread(r, "agent-" + config.tier() + "-grpc-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = NettyServerBuilder.forAddress(address)
                .executor(workers)
                .maxInboundMessageSize((int) Math.min(config.maxRequestBytes(), Integer.MAX_VALUE))
                .addService(new Service())
                .build();
    }

    /** Serves {@code agent}'s models on {@code address} (port 0: any free port) until closed. */
    public static GrpcAgent start(TierAgent agent, InetSocketAddress address) throws IOException {
        GrpcAgent g = new GrpcAgent(agent, address);
        try {
            g.server.start();
            agent.attach(g);
            return g;
        } catch (IOException | RuntimeException e) {
            g.close();
            throw new IOException("agent for tier '" + agent.tier() + "': cannot serve gRPC on " + address + ": " + e.getMessage(), e);
        }
    }

    /** {@code grpc://host:port} of this transport. */
    public URI endpoint() {
        InetSocketAddress a = (InetSocketAddress) server.getListenSockets().get(0);
        return URI.create("grpc://" + a.getAddress().getHostAddress() + ":" + a.getPort());
    }

    public int port() {
        return server.getPort();
    }

    private final class Service extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
        @Override
        public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
            reply(out, ServerLiveResponse.newBuilder().setLive(true).build());
        }

        @Override
        public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
            reply(out, ServerReadyResponse.newBuilder().setReady(agent.isReady()).build());
        }

        @Override
        public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
            reply(out, ServerMetadataResponse.newBuilder().setName("tiermark-agent").setVersion("1").build());
        }

        @Override
        public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
            ServedModel s = served(request.getName(), out);
            if (s != null) {
                reply(out, ModelReadyResponse.newBuilder().setReady(agent.isReady()).build());
            }
        }

        @Override
        public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
            ServedModel s = served(request.getName(), out);
            if (s != null) {
                reply(out, GrpcTensors.metadata(s.metadata()));
            }
        }

        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
            ServedModel s = served(request.getModelName(), out);
            if (s == null) {
                return;
            }
            if (!agent.isReady()) {
                out.onError(Status.UNAVAILABLE.withDescription("agent for tier '" + agent.tier() + "' is not ready").asRuntimeException());
                return;
            }
            String where = "request to model '" + s.name() + "' on tier '" + agent.tier() + "'";
            List<NamedTensor> inputs;
            Set<String> outputs;
            try {
                inputs = GrpcTensors.inputs(request, where);
                s.checkInputs(inputs, where);
                outputs = requestedOutputs(s, request, where);
            } catch (IllegalArgumentException e) {
                out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
                return;
            }
            Duration timeout = agent.config().requestTimeout();
            Deadline deadline = Context.current().getDeadline();
            if (deadline != null) {
                long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
                if (left <= 0) {
                    out.onError(Status.DEADLINE_EXCEEDED.withDescription(where + ": the client's deadline passed before inference").asRuntimeException());
                    return;
                }
                timeout = timeout.toNanos() < left ? timeout : Duration.ofNanos(left);
            }
            ServedModel.Ran results;
            try {
                results = s.run(inputs, outputs, timeout, "model '" + s.name() + "' on tier '" + agent.tier() + "'");
            } catch (ServedModel.TimeoutException e) {
                out.onError(Status.DEADLINE_EXCEEDED.withDescription(e.getMessage()).asRuntimeException());
                return;
            } catch (IllegalArgumentException e) {
                // a raw input the preprocessing cannot read
                out.onError(Status.INVALID_ARGUMENT.withDescription(where + ": " + e.getMessage()).asRuntimeException());
                return;
            } catch (OrtException | RuntimeException e) {
                out.onError(Status.INTERNAL.withDescription(where + ": inference failed: " + e.getMessage()).asRuntimeException());
                return;
            }
            reply(out, GrpcTensors.response(s.name(), request.getId(), results.outputs(), results.relayedBytes()));
        }

        /** The model, or null after answering NOT_FOUND naming the models served. */
        private ServedModel served(String model, StreamObserver<?> out) {
            ServedModel s = agent.served(model);
            if (s == null) {
                out.onError(Status.NOT_FOUND.withDescription("model '" + model + "' is not served by the agent of tier '"
                        + agent.tier() + "'; served: " + String.join(", ", agent.models().keySet())).asRuntimeException());
            }
            return s;
        }
    }

    /** The outputs asked for, in order (all when the request names none); an unknown one is refused. */
    private static Set<String> requestedOutputs(ServedModel s, ModelInferRequest request, String where) {
        Set<String> out = new LinkedHashSet<>();
        if (request.getOutputsCount() == 0) {
            s.metadata().outputs().forEach(o -> out.add(o.name()));
            return out;
        }
        for (ModelInferRequest.InferRequestedOutputTensor o : request.getOutputsList()) {
            if (s.metadata().output(o.getName()) == null) {
                throw new IllegalArgumentException(where + ": unknown output '" + o.getName() + "'; outputs: " + s.metadata().outputs());
            }
            out.add(o.getName());
        }
        return out;
    }

    private static <T> void reply(StreamObserver<T> out, T message) {
        try {
            out.onNext(message);
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            // the client cancelled or its deadline passed while we worked: nobody to answer
        }
    }

    /**
     * Stops taking calls, lets calls in flight finish (cancelling inference after 2 s) and waits for them:
     * the sessions they run are the agent's, which closes them after this (see {@link TierAgent#attach}).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.shutdown();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                agent.cancelRunning();
                server.shutdownNow();
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
