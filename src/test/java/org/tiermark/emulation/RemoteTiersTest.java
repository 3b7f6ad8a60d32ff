package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Preprocessors;
import org.tiermark.TinyModels;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.Breakdown;
import org.tiermark.runtime.Costs;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.tier.Profiles;

/**
 * Remote tiers on loopback: a variant's tail at a tier profile's endpoint (a real agent, or a server that
 * misbehaves), and each fault failing with the tier and the endpoint named.
 */
class RemoteTiersTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    /** The project's profiles with {@code edge} at {@code endpoint}. */
    private Profiles profilesWithEdgeAt(URI endpoint) throws Exception {
        Path root = dir.resolve("profiles");
        for (String sub : List.of("tiers", "links", "deployments")) {
            Files.createDirectories(root.resolve(sub));
            try (var files = Files.list(Path.of("profiles", sub))) {
                for (Path f : files.toList()) {
                    Files.copy(f, root.resolve(sub).resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (endpoint != null) {
            Path edge = root.resolve("tiers/edge.json");
            Files.writeString(edge, Files.readString(edge).replaceFirst("\\{", "{\n  \"endpoint\": \"" + endpoint + "\","));
        }
        return Profiles.load(root);
    }

    /** The project's profiles with each named tier at its endpoint. */
    private Profiles profilesWithEndpoints(Map<String, URI> endpoints) throws Exception {
        profilesWithEdgeAt(null);
        Path root = dir.resolve("profiles");
        for (Map.Entry<String, URI> e : endpoints.entrySet()) {
            Path tier = root.resolve("tiers/" + e.getKey() + ".json");
            Files.writeString(tier, Files.readString(tier).replaceFirst("\\{", "{\n  \"endpoint\": \"" + e.getValue() + "\","));
        }
        return Profiles.load(root);
    }

    private Variant tiny() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        Path tail = TinyModels.elementwise(dir.resolve("tail.onnx"), "Mul", "h", "y", 4, 2f);
        return new Variant("tiny", "sptq+partition", List.of(head, tail), null);
    }

    @Test
    void theTailAtTheEdgesEndpointAnswersAsInProcess() throws Exception {
        Variant v = tiny();
        String served = RemoteTiers.servedModel(v, 1);
        assertEquals("tiny.sptq_partition.stage1", served);
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of(served, v.stages().get(1)),
                Sessions.Settings.oneThread()))) {
            Profiles p = profilesWithEdgeAt(agent.endpoint());
            Map<String, Object> probe = RemoteTiers.probe(p, "edge", TIMEOUT);
            assertEquals(agent.endpoint().toString(), probe.get("endpoint"));
            assertTrue((double) probe.get("roundTripMedianMs") > 0, probe.toString());
            assertThroughputMeasured(probe);
            assertTrue(agent.models().containsKey(ProbeModel.NAME), "the probe is listed like any model: " + agent.models().keySet());
            try (DeploymentRunner r = DeploymentRunner.open(ENV, v, p.deployment("mobile-edge"), p, Costs.REMOTE,
                    RemoteStageTestSupport.floats(ENV, 4), RemoteTiers.opener(ENV, p, v, TIMEOUT))) {
                for (int round = 0; round < 3; round++) {
                    assertArrayEquals(new float[] {4, 6, 8, 10}, r.run(RemoteStageTestSupport.raw(1, 2, 3, 4)).floats("y"));
                    Breakdown b = r.lastBreakdown();
                    assertEquals(0, b.transferNanos, "a real link: nothing waited");
                    assertTrue(b.remoteNanos > 0 && b.stageComputeNanos[1] == b.remoteNanos, "the tail's call is the remote time");
                    assertEquals(16, b.bytes[1], "the head's output crosses as 4 floats");
                }
            }
        }
    }

    @Test
    void theTailAtAGrpcEndpointAnswersAsInProcessAndAGoneOneIsNamed() throws Exception {
        Variant v = tiny();
        String served = RemoteTiers.servedModel(v, 1);
        URI gone;
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of(served, v.stages().get(1)),
                Sessions.Settings.oneThread()))) {
            GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0));
            gone = grpc.endpoint();
            Profiles p = profilesWithEdgeAt(grpc.endpoint());
            Map<String, Object> probe = RemoteTiers.probe(p, "edge", TIMEOUT);
            assertEquals(grpc.endpoint().toString(), probe.get("endpoint"));
            assertEquals("grpc", probe.get("transport"));
            assertTrue((double) probe.get("roundTripMedianMs") > 0, probe.toString());
            assertThroughputMeasured(probe);
            try (DeploymentRunner r = DeploymentRunner.open(ENV, v, p.deployment("mobile-edge"), p, Costs.REMOTE,
                    RemoteStageTestSupport.floats(ENV, 4), RemoteTiers.opener(ENV, p, v, TIMEOUT))) {
                assertArrayEquals(new float[] {4, 6, 8, 10}, r.run(RemoteStageTestSupport.raw(1, 2, 3, 4)).floats("y"));
                assertTrue(r.lastBreakdown().remoteNanos > 0, "the tail ran at the gRPC endpoint");
            }
        }
        Profiles unreachable = profilesWithEdgeAt(gone);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RemoteTiers.probe(unreachable, "edge", TIMEOUT));
        assertTrue(e.getMessage().contains("tier 'edge' at " + gone) && e.getMessage().contains("unreachable"), e.getMessage());
    }

    @Test
    void theFirstHopCarriesTheRawInputWhereTheServerTakesItAndPreparedTensorsElsewhere() throws Exception {
        Catalog.Model m = Catalog.load(Path.of("models")).model("resnet-fmnist");
        Variant v = new Variant("resnet-fmnist", "identity", List.of(m.onnx()), null);
        String served = RemoteTiers.servedModel(v, 0);
        byte[] raw;
        try (var files = Files.list(Path.of("data/fashion-mnist/pool"))) {
            raw = Files.readAllBytes(files.sorted().findFirst().orElseThrow());
        }
        for (boolean takesRaw : new boolean[] {true, false}) {
            TierAgent.Config config = TierAgent.Config.loopback("edge", Map.of(served, m.onnx()), Sessions.Settings.oneThread());
            if (takesRaw) {
                config = config.withPreprocessing(served, () -> Preprocessors.create(m, ENV));
            }
            try (TierAgent agent = TierAgent.start(config)) {
                Profiles p = profilesWithEdgeAt(agent.endpoint());
                String hop = RemoteTiers.firstHop(p, "edge", served, TIMEOUT);
                if (takesRaw) {
                    assertEquals("raw", hop);
                } else {
                    assertTrue(hop.startsWith("prepared tensors") && hop.contains("'raw_input'") && hop.contains(agent.endpoint().toString()), hop);
                }
                try (DeploymentRunner r = DeploymentRunner.open(ENV, v, p.deployment("edge"), p, Costs.REMOTE,
                        Preprocessors.create(m, ENV), RemoteTiers.opener(ENV, p, v, TIMEOUT))) {
                    r.run(raw);
                    // raw: the encoded PNG; else the prepared 1x1x28x28 FP32 tensor
                    assertEquals(takesRaw ? raw.length : 28 * 28 * 4, r.lastBreakdown().bytes[0], "first hop, raw input taken: " + takesRaw);
                }
            }
        }
        assertTrue(RemoteTiers.firstHop(profilesWithEdgeAt(URI.create("http://127.0.0.1:9")), "edge", served, TIMEOUT)
                .startsWith("not checked: "), "a server that cannot be asked is reported, the cell fails on its own");
    }

    @Test
    void theEdgesServerRelaysToTheCloudsAndOneThatDoesNotIsNamedWithBothTiers() throws Exception {
        Variant v = tiny();
        String head = RemoteTiers.servedModel(v, 0);
        String tail = RemoteTiers.servedModel(v, 1);
        try (TierAgent cloud = TierAgent.start(TierAgent.Config.loopback("cloud", Map.of(tail, v.stages().get(1)), Sessions.Settings.oneThread()));
             GrpcAgent cloudGrpc = GrpcAgent.start(cloud, new InetSocketAddress("127.0.0.1", 0));
             TierAgent edge = TierAgent.start(TierAgent.Config.loopback("edge", Map.of(head, v.stages().get(0)), Sessions.Settings.oneThread())
                     .withNext(head, new TierAgent.NextStage("cloud", cloudGrpc.endpoint(), tail)))) {
            assertEquals("[y:FP32[1, 4]]", edge.models().get(head).outputs().toString(), "the relaying stage answers the tail's outputs");
            Profiles p = profilesWithEndpoints(Map.of("edge", edge.endpoint(), "cloud", cloud.endpoint()));
            try (DeploymentRunner r = DeploymentRunner.open(ENV, v, p.deployment("edge-cloud"), p, Costs.REMOTE,
                    RemoteStageTestSupport.floats(ENV, 4), RemoteTiers.opener(ENV, p, v, TIMEOUT))) {
                for (int round = 0; round < 2; round++) {
                    assertArrayEquals(new float[] {4, 6, 8, 10}, r.run(RemoteStageTestSupport.raw(1, 2, 3, 4)).floats("y"));
                    Breakdown b = r.lastBreakdown();
                    assertEquals(16, b.bytes[0], "the prepared input to edge (a test model: no raw input)");
                    assertEquals(16, b.bytes[1], "edge relayed the head's 4 floats to cloud");
                    assertEquals(16, b.bytes[2], "the tail's 4 floats come back");
                }
            }
        }
        // an edge server serving the head without relaying: the runner names both tiers
        try (TierAgent cloud = TierAgent.start(TierAgent.Config.loopback("cloud", Map.of(tail, v.stages().get(1)), Sessions.Settings.oneThread()));
             TierAgent edge = TierAgent.start(TierAgent.Config.loopback("edge", Map.of(head, v.stages().get(0)), Sessions.Settings.oneThread()))) {
            Profiles p = profilesWithEndpoints(Map.of("edge", edge.endpoint(), "cloud", cloud.endpoint()));
            try (DeploymentRunner r = DeploymentRunner.open(ENV, v, p.deployment("edge-cloud"), p, Costs.REMOTE,
                    RemoteStageTestSupport.floats(ENV, 4), RemoteTiers.opener(ENV, p, v, TIMEOUT))) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> r.run(RemoteStageTestSupport.raw(1, 2, 3, 4)));
                assertTrue(e.getMessage().contains("tier 'edge'") && e.getMessage().contains("tier 'cloud'")
                        && e.getMessage().contains("--next"), e.getMessage());
            }
        }
    }

    /** Measured on loopback: 1 MB and 4 MB, their medians, a throughput from their difference. */
    private static void assertThroughputMeasured(Map<String, Object> probe) {
        assertEquals(List.of(1_000_000L, 4_000_000L), probe.get("throughputPayloadBytes"), probe.toString());
        @SuppressWarnings("unchecked")
        List<Double> medians = (List<Double>) probe.get("throughputMedianMs");
        assertTrue(medians.get(1) > medians.get(0), probe.toString());
        // loopback moves gigabits; a unit slip (bytes for bits, ms for ns) would land far below, load does not
        assertTrue((double) probe.get("throughputMbps") > 50, probe.toString());
        assertEquals(null, probe.get("throughput"), probe.toString());
    }

    @Test
    void aServerWithoutTheProbeModelGetsThroughputNotMeasured() throws Exception {
        // a Triton-like server: ready, but no tiermark-probe model
        try (FakeServer s = new FakeServer(path -> path.endsWith("/v2/health/ready") ? FakeServer.answer(200, "{}")
                : FakeServer.answer(404, "{\"error\": \"Request for unknown model\"}"))) {
            Profiles p = profilesWithEdgeAt(s.endpoint());
            Map<String, Object> probe = RemoteTiers.probe(p, "edge", TIMEOUT);
            assertTrue((double) probe.get("roundTripMedianMs") > 0, probe.toString());
            assertEquals("not measured (endpoint serves no tiermark-probe model)", probe.get("throughput"));
            assertEquals(null, probe.get("throughputMbps"));
            assertTrue(RemoteTiers.describe("edge", probe).contains("throughput: not measured (endpoint serves no"),
                    probe.toString());
        }
    }

    @Test
    void theProbeModelAnswersTheLengthOverRestAndGrpc() throws Exception {
        Variant v = tiny();
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of("tail", v.stages().get(1)),
                Sessions.Settings.oneThread()))) {
            GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0));
            for (URI endpoint : List.of(agent.endpoint(), grpc.endpoint())) {
                try (ModelClient c = ModelClient.connect(endpoint, ProbeModel.NAME, TIMEOUT)) {
                    Oip.TensorSpec input = c.metadata().inputs().get(0);
                    assertEquals(ProbeModel.INPUT, input.name());
                    assertEquals(Datatype.UINT8, input.datatype());
                    assertArrayEquals(new long[] {-1}, input.shape(), endpoint.toString());
                    for (int n : new int[] {0, 1, 12345}) {
                        NamedTensor in = new NamedTensor(ProbeModel.INPUT, Datatype.UINT8, new long[] {n}, ByteBuffer.allocate(n));
                        NamedTensor out = c.infer(List.of(in)).get(ProbeModel.OUTPUT);
                        assertEquals(n, out.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(), endpoint + " " + n);
                    }
                }
            }
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> new TierAgent.Config("edge",
                    new InetSocketAddress("127.0.0.1", 0), Map.of(ProbeModel.NAME, v.stages().get(1)), Sessions.Settings.oneThread(),
                    1 << 20, TIMEOUT, 1));
            assertTrue(e.getMessage().contains("throughput probe"), e.getMessage());
        }
    }

    @Test
    void aTierWithoutEndpointIsNamedWithItsFile() throws Exception {
        Profiles p = profilesWithEdgeAt(null);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RemoteTiers.probe(p, "edge", TIMEOUT));
        assertTrue(e.getMessage().contains("tier 'edge'") && e.getMessage().contains("tiers/edge.json")
                && e.getMessage().contains("\"endpoint\""), e.getMessage());
    }

    @Test
    void anUnreachableOrNotReadyHostIsNamedWithTierAndEndpoint() throws Exception {
        URI gone;
        try (FakeServer s = new FakeServer(path -> FakeServer.answer(200, "{}"))) {
            gone = s.endpoint();
        }
        Profiles unreachable = profilesWithEdgeAt(gone);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RemoteTiers.probe(unreachable, "edge", TIMEOUT));
        assertTrue(e.getMessage().contains("tier 'edge' at " + gone) && e.getMessage().contains("unreachable"), e.getMessage());
        try (FakeServer s = new FakeServer(path -> FakeServer.answer(503, "{\"error\": \"loading\"}"))) {
            Profiles notReady = profilesWithEdgeAt(s.endpoint());
            e = assertThrows(InvalidInputException.class, () -> RemoteTiers.probe(notReady, "edge", TIMEOUT));
            assertTrue(e.getMessage().contains("tier 'edge' at " + s.endpoint()) && e.getMessage().contains("503"), e.getMessage());
        }
    }

    @Test
    void aStageTheServerDoesNotHaveFailsWhenOpening() throws Exception {
        Variant v = tiny();
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of("something-else", v.stages().get(1)),
                Sessions.Settings.oneThread()))) {
            Profiles p = profilesWithEdgeAt(agent.endpoint());
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> DeploymentRunner.open(ENV, v,
                    p.deployment("mobile-edge"), p, Costs.REMOTE, RemoteStageTestSupport.floats(ENV, 4), RemoteTiers.opener(ENV, p, v, TIMEOUT)));
            assertTrue(e.getMessage().contains("remote tier 'edge' (" + agent.endpoint() + ")")
                    && e.getMessage().contains("tiny.sptq_partition.stage1") && e.getMessage().contains("404"), e.getMessage());
        }
    }

    @Test
    void aWrongAnswerATruncatedFrameAndATimeoutFailTheRequestNamingTierAndEndpoint() throws Exception {
        Variant v = tiny();
        String model = RemoteTiers.servedModel(v, 1);
        String metadata = "{\"name\": \"" + model + "\", \"platform\": \"fake\", \"inputs\": [{\"name\": \"h\", \"datatype\": \"FP32\","
                + " \"shape\": [1, 4]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [1, 4]}]}";
        byte[] full = FakeServer.answer(200, "{\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [1, 4], \"data\": [1, 2, 3, 4]}]}");
        Map<String, byte[]> answers = Map.of(
                "shape [1, 3]", FakeServer.answer(200, "{\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [1, 3], \"data\": [1, 2, 3]}]}"),
                "datatype INT32", FakeServer.answer(200, "{\"outputs\": [{\"name\": \"y\", \"datatype\": \"INT32\", \"shape\": [1, 4], \"data\": [1, 2, 3, 4]}]}"),
                "truncated", Arrays.copyOf(full, full.length - 5));
        for (Map.Entry<String, byte[]> a : answers.entrySet()) {
            assertRequestFails(v, metadata, model, a.getValue(), a.getKey());
        }
        assertRequestFails(v, metadata, model, null, "timed out");
    }

    private void assertRequestFails(Variant v, String metadata, String model, byte[] infer, String expected) throws Exception {
        Function<String, byte[]> handler = path -> path.endsWith("/infer") ? infer
                : path.equals("/v2/models/" + model) ? FakeServer.answer(200, metadata) : FakeServer.answer(200, "{}");
        try (FakeServer s = new FakeServer(handler)) {
            Profiles p = profilesWithEdgeAt(s.endpoint());
            try (DeploymentRunner r = DeploymentRunner.open(ENV, v, p.deployment("mobile-edge"), p, Costs.REMOTE,
                    RemoteStageTestSupport.floats(ENV, 4), RemoteTiers.opener(ENV, p, v, Duration.ofSeconds(1)))) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> r.run(RemoteStageTestSupport.raw(1, 2, 3, 4)));
                assertTrue(e.getMessage().contains("tier 'edge'") && e.getMessage().contains(s.endpoint().toString())
                        && e.getMessage().contains(expected), expected + ": " + e.getMessage());
            }
        }
    }
}
