package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.TinyModels;
import org.tiermark.data.Preprocessor;
import org.tiermark.emulation.grpc.GRPCInferenceServiceGrpc;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelInferRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelInferResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelMetadataRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelMetadataResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelReadyRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelReadyResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerReadyRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ServerReadyResponse;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.Costs;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LocalStage;
import org.tiermark.runtime.Stage;
import org.tiermark.tier.Profiles;

/** The agent's gRPC transport and its client on loopback: the same answers as REST and in process, and each failure named. */
class GrpcTransportTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final NamedTensor X = NamedTensor.floats("x", new float[] {1, 2, 3, 4}, 1, 4);

    @TempDir
    Path dir;

    @Test
    void theTailOverGrpcGivesWhatItGivesInProcessAndOverRest() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        Path tail = TinyModels.elementwise(dir.resolve("tail.onnx"), "Mul", "h", "y", 4, 2f);
        Profiles p = Profiles.load(Path.of("profiles"));
        Variant v = new Variant("tiny", "partition", List.of(head, tail), null);
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of("tail", tail), Sessions.Settings.oneThread()));
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0))) {
            assertTrue(grpc.endpoint().toString().startsWith("grpc://127.0.0.1:"), grpc.endpoint().toString());
            Stage.Opener local = LocalStage.opener(ENV);
            for (URI endpoint : List.of(grpc.endpoint(), agent.endpoint())) {
                Stage.Opener remote = RemoteStage.opener(ENV, i -> new RemoteStage.Served(endpoint, "tail"), TIMEOUT);
                Stage.Opener mixed = (i, file, tier) -> i == 0 ? local.open(i, file, tier) : remote.open(i, file, tier);
                try (DeploymentRunner inProcess = DeploymentRunner.open(ENV, v, p.deployment("mobile-edge"), p, Costs.NONE, floats(4));
                     DeploymentRunner split = DeploymentRunner.open(ENV, v, p.deployment("mobile-edge"), p, Costs.NONE, floats(4), mixed)) {
                    for (float[] in : new float[][] {{1, 2, 3, 4}, {-1.5f, 0, 1e6f, 7}}) {
                        float[] expected = inProcess.run(raw(in)).floats("y").clone();
                        assertArrayEquals(expected, split.run(raw(in)).floats("y"), endpoint.toString());
                    }
                }
            }
        }
    }

    @Test
    void metadataReadinessAndRoundTrip() throws Exception {
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge",
                Map.of("double", AgentModels.doubler(dir, 4)), Sessions.Settings.oneThread()));
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0));
             ModelClient c = ModelClient.connect(grpc.endpoint(), "double", TIMEOUT)) {
            assertInstanceOf(GrpcClient.class, c);
            assertEquals(agent.models().get("double"), c.metadata());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(new float[] {2, 4, 6, 8}, c.infer(List.of(X)).get("y").toFloats());
            }
            InferenceException e = assertThrows(InferenceException.class,
                    () -> c.infer(List.of(NamedTensor.floats("x", new float[3], 1, 3))));
            assertTrue(e.getMessage().contains("refused to send") && e.getMessage().contains("expected [1, 4]"), e.getMessage());
        }
    }

    @Test
    void unknownModelIsNamedWithTheEndpoint() throws Exception {
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge",
                Map.of("double", AgentModels.doubler(dir, 4)), Sessions.Settings.oneThread()));
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0))) {
            InferenceException e = assertThrows(InferenceException.class, () -> ModelClient.connect(grpc.endpoint(), "resnet", TIMEOUT));
            assertTrue(e.getMessage().startsWith("model 'resnet' at " + grpc.endpoint() + ": model is not served"), e.getMessage());
            assertTrue(e.getMessage().contains("NOT_FOUND") && e.getMessage().contains("served: double"), e.getMessage());
        }
    }

    @Test
    void theServerChecksWhatARawClientSends() throws Exception {
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge",
                Map.of("double", AgentModels.doubler(dir, 4)), Sessions.Settings.oneThread()));
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
            try {
                var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
                ModelInferRequest wrongShape = GrpcTensors.request("double", "1", List.of(NamedTensor.floats("x", new float[3], 1, 3)));
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(wrongShape));
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
                assertTrue(e.getStatus().getDescription().contains("has shape [1, 3], expected [1, 4]"), e.getStatus().getDescription());
                ModelInferRequest truncated = GrpcTensors.request("double", "2", List.of(X)).toBuilder()
                        .setRawInputContents(0, ByteString.copyFrom(new byte[12])).build();
                e = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(truncated));
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
                assertTrue(e.getStatus().getDescription().contains("needs 16 bytes, got 12"), e.getStatus().getDescription());
                ModelInferRequest noRaw = GrpcTensors.request("double", "2", List.of(X)).toBuilder().clearRawInputContents().build();
                e = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(noRaw));
                assertTrue(e.getStatus().getDescription().contains("raw_input_contents"), e.getStatus().getDescription());
                ModelInferResponse ok = stub.modelInfer(GrpcTensors.request("double", "7", List.of(X)));
                assertEquals("7", ok.getId());
                assertArrayEquals(new float[] {2, 4, 6, 8}, GrpcTensors.outputs(ok).get(0).toFloats());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aRequestAboveTheAgentsLimitIsRefused() throws Exception {
        Path model = AgentModels.doubler(dir, 100_000);
        try (TierAgent agent = TierAgent.start(new TierAgent.Config("edge", new InetSocketAddress("127.0.0.1", 0),
                Map.of("double", model), Sessions.Settings.oneThread(), 64 * 1024, Duration.ofSeconds(10), 2));
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0));
             ModelClient c = ModelClient.connect(grpc.endpoint(), "double", TIMEOUT)) {
            InferenceException e = assertThrows(InferenceException.class,
                    () -> c.infer(List.of(NamedTensor.floats("x", new float[100_000], 1, 100_000))));
            assertTrue(e.getMessage().contains("too large") && e.getMessage().contains("RESOURCE_EXHAUSTED"), e.getMessage());
        }
    }

    @Test
    void theClientsDeadlineAndTheAgentsTimeoutAreBothHonoured() throws Exception {
        Path slow = AgentModels.slow(dir, 200);
        NamedTensor x = NamedTensor.floats("x", new float[512 * 512], 512, 512);
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of("slow", slow), Sessions.Settings.oneThread()));
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0));
             ModelClient c = ModelClient.connect(grpc.endpoint(), "slow", Duration.ofMillis(300))) {
            long start = System.nanoTime();
            InferenceException e = assertThrows(InferenceException.class, () -> c.infer(List.of(x)));
            assertTrue(e.getMessage().startsWith("model 'slow' at " + grpc.endpoint() + ": timed out"), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the deadline cut the call");
        }
        try (TierAgent agent = TierAgent.start(new TierAgent.Config("edge", new InetSocketAddress("127.0.0.1", 0),
                Map.of("slow", slow), Sessions.Settings.oneThread(), 64L << 20, Duration.ofMillis(50), 2));
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0));
             ModelClient c = ModelClient.connect(grpc.endpoint(), "slow", Duration.ofSeconds(30))) {
            InferenceException e = assertThrows(InferenceException.class, () -> c.infer(List.of(x)));
            assertTrue(e.getMessage().startsWith("model 'slow' at " + grpc.endpoint() + ": timed out"), e.getMessage());
            assertTrue(e.getMessage().contains("request timeout of 50 ms"), e.getMessage());
        }
    }

    @Test
    void aServerThatIsGoneIsNamed() throws Exception {
        TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of("double", AgentModels.doubler(dir, 4)),
                Sessions.Settings.oneThread()));
        GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0));
        URI endpoint = grpc.endpoint();
        try (ModelClient c = ModelClient.connect(endpoint, "double", TIMEOUT)) {
            c.infer(List.of(X));
            grpc.close();
            agent.close();
            InferenceException e = assertThrows(InferenceException.class, () -> c.infer(List.of(X)));
            assertTrue(e.getMessage().startsWith("model 'double' at " + endpoint + ": unreachable or gone"), e.getMessage());
        }
        InferenceException e = assertThrows(InferenceException.class, () -> ModelClient.connect(endpoint, "double", TIMEOUT));
        assertTrue(e.getMessage().startsWith("model 'double' at " + endpoint + ": unreachable"), e.getMessage());
    }

    @Test
    void aServerAnsweringTheWrongShapeIsCaught() throws Exception {
        // a server that speaks the protocol but answers y as [1, 3] while its metadata says [1, 4]
        var service = new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
            @Override
            public void serverReady(ServerReadyRequest r, StreamObserver<ServerReadyResponse> out) {
                out.onNext(ServerReadyResponse.newBuilder().setReady(true).build());
                out.onCompleted();
            }

            @Override
            public void modelReady(ModelReadyRequest r, StreamObserver<ModelReadyResponse> out) {
                out.onNext(ModelReadyResponse.newBuilder().setReady(true).build());
                out.onCompleted();
            }

            @Override
            public void modelMetadata(ModelMetadataRequest r, StreamObserver<ModelMetadataResponse> out) {
                out.onNext(GrpcTensors.metadata(new Oip.ModelMetadata("m", "fake",
                        List.of(new Oip.TensorSpec("x", Datatype.FP32, new long[] {1, 4})),
                        List.of(new Oip.TensorSpec("y", Datatype.FP32, new long[] {1, 4})))));
                out.onCompleted();
            }

            @Override
            public void modelInfer(ModelInferRequest r, StreamObserver<ModelInferResponse> out) {
                ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName("m");
                b.addOutputsBuilder().setName("y").setDatatype("FP32").addShape(1).addShape(3);
                b.addRawOutputContents(ByteString.copyFrom(new byte[12]));
                out.onNext(b.build());
                out.onCompleted();
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
        try (ModelClient c = ModelClient.connect(URI.create("grpc://127.0.0.1:" + server.getPort()), "m", TIMEOUT)) {
            InferenceException e = assertThrows(InferenceException.class, () -> c.infer(List.of(X)));
            assertTrue(e.getMessage().contains("answered tensor 'y' has shape [1, 3], expected [1, 4]"), e.getMessage());
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anEndpointOfAnotherSchemeIsRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelClient.connect(URI.create("ftp://127.0.0.1:1"), "m", TIMEOUT));
        assertTrue(e.getMessage().contains("'ftp'") && e.getMessage().contains("grpc://host:port"), e.getMessage());
    }

    /** The raw bytes are little-endian floats, fed as input x of shape [1, n]. */
    private static Preprocessor floats(int n) {
        return new Preprocessor() {
            @Override
            public Map<String, OnnxTensor> prepare(byte[] raw) throws OrtException {
                FloatBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                return Map.of("x", OnnxTensor.createTensor(ENV, b, new long[] {1, n}));
            }

            @Override
            public void close() {}
        };
    }

    private static byte[] raw(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }
}
