package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.TinyModels;
import org.tiermark.data.InputPool;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.Breakdown;
import org.tiermark.runtime.Costs;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.tier.DeploymentProfile;
import org.tiermark.tier.LinkProfile;
import org.tiermark.tier.Profiles;

/**
 * A split variant on emulated tiers (Linux, root): the head in this process as the origin's requester, the
 * tail on an agent in the edge (or cloud) namespace behind shaped links, reached through the origin's
 * namespace; an agent killed mid-run; and nothing left afterwards.
 */
class EmulatedTiersTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final Profiles PROFILES = Profiles.load(Path.of("profiles"));

    @TempDir
    Path dir;

    private Variant tiny() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        Path tail = TinyModels.elementwise(dir.resolve("tail.onnx"), "Mul", "h", "y", 4, 2f);
        return new Variant("tiny", "partition", List.of(head, tail), null);
    }

    @Test
    @EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
    void theTailOnAnEmulatedTierAnswersOverTheShapedRoute() throws Exception {
        Variant v = tiny();
        for (String deployment : List.of("mobile-edge", "mobile-cloud")) {
            String run;
            try (EmulatedTiers tiers = EmulatedTiers.open(Path.of("."), PROFILES, PROFILES.deployment(deployment), v, TIMEOUT);
                 DeploymentRunner r = DeploymentRunner.open(ENV, v, PROFILES.deployment(deployment), PROFILES, Costs.EMULATED,
                         RemoteStageTestSupport.floats(ENV, 4), tiers.opener(ENV, v, TIMEOUT))) {
                run = tiers.emulation().runId();
                String tier = deployment.substring("mobile-".length());
                assertTrue(tiers.endpoints().get(tier).getHost().startsWith("198.1"), tiers.endpoints().toString());
                long best = Long.MAX_VALUE;
                for (int round = 0; round < 5; round++) {
                    assertArrayEquals(new float[] {4, 6, 8, 10}, r.run(RemoteStageTestSupport.raw(1, 2, 3, 4)).floats("y"));
                    Breakdown b = r.lastBreakdown();
                    assertEquals(0, b.transferNanos, "a real link: nothing waited");
                    best = Math.min(best, b.remoteNanos);
                }
                // the path's round trip is paid once per request on the kept connection: 1 ms to edge, 1 + 20 ms to cloud
                double rttMs = PROFILES.route("mobile", tier).stream().mapToDouble(l -> l.rttMs()).sum();
                assertTrue(best >= rttMs * 1e6, deployment + ": best call " + best / 1e6 + " ms under the path's round trip " + rttMs);
                assertTrue(best < rttMs * 1e6 + 500e6, deployment + ": best call " + best / 1e6 + " ms");
                assertEquals("cpus = relativeSpeed x intraOpThreads per tier: {mobile=0.0, " + tier + "="
                        + EmulatedTiers.cpus(PROFILES.tier(tier)) + (tier.equals("cloud") ? ", edge=0.5" : "") + "}",
                        tiers.describe().get("cpuQuota"));
            }
            NetworkEmulationTest.assertNothingLeft(run);
        }
    }

    @Test
    @EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
    void linksWithARoundTripArePacketLinksWhereANewConnectionPaysTheHandshake() throws Exception {
        Variant v = tiny();
        String run;
        // mobile-cloud: mobile-edge (1 ms) and edge-cloud (20 ms), both packet links, routed through edge
        double pathRttMs = PROFILES.route("mobile", "cloud").stream().mapToDouble(l -> l.rttMs()).sum();
        List<Long> connectNanos = new ArrayList<>();
        List<Long> readyNanos = new ArrayList<>();
        try (EmulatedTiers tiers = EmulatedTiers.open(Path.of("."), PROFILES, PROFILES.deployment("mobile-cloud"), v, TIMEOUT)) {
            run = tiers.emulation().runId();
            // packet links on a kernel without netem, as here; where it has netem, veths delayed by it
            String delay = tiers.emulation().netem() ? NetworkEmulation.DELAY_NETEM : NetworkEmulation.DELAY_PACKET;
            for (NetworkEmulation.Link l : tiers.emulation().links()) {
                assertEquals(delay, l.delay(), l.toString());
            }
            assertTrue(tiers.describe().get("links").toString().contains("delay=" + delay), tiers.describe().toString());
            URI agent = tiers.endpoints().get("cloud");
            for (int i = 0; i < 5; i++) {
                // a new connection each time: the SYN and SYN-ACK cross both links, then the request and its answer
                long start = System.nanoTime();
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(agent.getHost(), agent.getPort()), 10_000);
                    connectNanos.add(System.nanoTime() - start);
                    s.setTcpNoDelay(true);
                    s.getOutputStream().write(("GET /v2/health/ready HTTP/1.1\r\nHost: " + agent.getHost() + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    readyNanos.add(System.nanoTime() - start);
                    assertEquals("HTTP/1.1 200 OK", status);
                }
            }
        }
        NetworkEmulationTest.assertNothingLeft(run);
        System.out.printf("new connections to the cloud's agent over %.0f ms of round trips: connect %s ns, ready %s ns%n", pathRttMs,
                connectNanos, readyNanos);
        // a stream relay in front of the agent would accept at once (connect well under 1 ms); over packet links the
        // handshake pays the path's round trip, the request one more; load only adds, so the fastest gets a ceiling
        long connect = connectNanos.stream().min(Long::compare).orElseThrow();
        long ready = readyNanos.stream().min(Long::compare).orElseThrow();
        assertTrue(connectNanos.stream().allMatch(n -> n >= pathRttMs * 1e6 * 0.98), "connect " + connectNanos);
        assertTrue(readyNanos.stream().allMatch(n -> n >= 2 * pathRttMs * 1e6 * 0.98), "ready " + readyNanos);
        assertTrue(connect < pathRttMs * 1e6 + 250e6 && ready < 2 * pathRttMs * 1e6 + 500e6, "connect " + connect + ", ready " + ready);
    }

    @Test
    void aLinkWhoseBucketTbfCannotMakeIsRefusedNamingTheField() {
        LinkProfile wan = PROFILES.links().get("edge-cloud");
        assertEquals(9000, EmulatedTiers.spec(wan.withCalibration(wan.calibration().withBurstBytes(9000))).tbf().burstBytes());
        for (long burst : List.of(0L, 1514L)) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> EmulatedTiers.spec(wan.withCalibration(wan.calibration().withBurstBytes(burst))));
            assertTrue(e.getMessage().contains("profiles/links/edge-cloud.json") && e.getMessage().contains("calibration.burstBytes")
                    && e.getMessage().contains("3028"), e.getMessage());
        }
    }

    @Test
    void theRunRecordSaysWhichDelayEachLinkGets() {
        Map<String, Object> links = EmulatedTiers.links(PROFILES, List.of("mobile-cloud", "edge"), false);
        assertEquals(List.of("edge-cloud", "mobile-edge"), List.copyOf(links.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> wan = (Map<String, Object>) links.get("edge-cloud");
        assertEquals(PROFILES.links().get("edge-cloud").rttMs() > 0 ? "packet" : "none", wan.get("delay"));
        LinkProfile edgeCloud = PROFILES.links().get("edge-cloud");
        // tbf's bucket is the one the simulated model charges: the profile's calibration.burstBytes
        assertEquals(Tbf.forLink(edgeCloud.bandwidthMbps(), 1500, edgeCloud.calibration().burstBytes()), wan.get("tbf"));
        assertEquals(3028, edgeCloud.calibration().burstBytes(), "the shipped profiles carry the emulation's bucket");
        assertEquals("none", new NetworkEmulation.LinkSpec("a", "b", 10, 0).delay(false));
        assertEquals("packet", new NetworkEmulation.LinkSpec("a", "b", 10, 0.5).delay(false));
        assertEquals("netem", new NetworkEmulation.LinkSpec("a", "b", 10, 0.5).delay(true), "where the kernel has netem");
        assertEquals("none", new NetworkEmulation.LinkSpec("a", "b", 10, 0).delay(true));
        assertEquals("netem", ((Map<?, ?>) EmulatedTiers.links(PROFILES, List.of("edge"), true).get("mobile-edge")).get("delay"));
    }

    @Test
    @EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
    void anAgentKilledMidRunFailsTheRequestNamingTierAndEndpoint() throws Exception {
        Variant v = tiny();
        String run;
        try (EmulatedTiers tiers = EmulatedTiers.open(Path.of("."), PROFILES, PROFILES.deployment("mobile-edge"), v, TIMEOUT);
             DeploymentRunner r = DeploymentRunner.open(ENV, v, PROFILES.deployment("mobile-edge"), PROFILES, Costs.EMULATED,
                     RemoteStageTestSupport.floats(ENV, 4), tiers.opener(ENV, v, TIMEOUT))) {
            run = tiers.emulation().runId();
            r.run(RemoteStageTestSupport.raw(1, 2, 3, 4));
            String ns = tiers.emulation().namespace("edge");
            for (String pid : Shell.lines(Shell.run("ip", "netns", "pids", ns))) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                for (int i = 0; i < 50; i++) {
                    r.run(RemoteStageTestSupport.raw(1, 2, 3, 4));
                    Thread.sleep(20);
                }
            });
            assertTrue(e.getMessage().contains("tier 'edge'") && e.getMessage().contains(tiers.endpoints().get("edge").toString()),
                    e.getMessage());
        }
        NetworkEmulationTest.assertNothingLeft(run);
    }

    @Test
    @EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
    void aFirstStageOffTheOriginTakesTheEncodedImageAsTheSimulatedModelCharges() throws Exception {
        Suite suite = Suite.load(Path.of("."));
        Variant v = suite.variants().ensure("resnet-fmnist", "identity");
        InputPool pool = suite.pool("resnet-fmnist", 3);
        String run;
        try (DeploymentRunner simulated = suite.runner("resnet-fmnist", "identity", "edge", Costs.SIMULATED);
             EmulatedTiers tiers = EmulatedTiers.open(suite.home(), suite.profiles(), suite.profiles().deployment("edge"), v, TIMEOUT);
             DeploymentRunner emulated = suite.runner("resnet-fmnist", "identity", "edge", Costs.EMULATED,
                     tiers.opener(ENV, v, TIMEOUT))) {
            run = tiers.emulation().runId();
            for (int i = 0; i < pool.size(); i++) {
                byte[] raw = pool.get(i);
                DeploymentRunner.Answer expected = simulated.run(raw);
                String output = expected.tensors().get(0).name();
                float[] want = expected.floats(output).clone();
                long[] simulatedBytes = simulated.lastBreakdown().bytes.clone();
                assertArrayEquals(want, emulated.run(raw).floats(output), 1e-4f);
                long[] emulatedBytes = emulated.lastBreakdown().bytes;
                assertEquals(raw.length, simulatedBytes[0], "the simulated first hop charges the encoded image");
                assertEquals(simulatedBytes[0], emulatedBytes[0], "the emulated first hop carries the encoded image too");
                // the answer: its data over the protocol, the data and the codec's names and shapes in the simulated model
                assertEquals(40, emulatedBytes[1], "10 FP32 scores come back");
                assertTrue(simulatedBytes[1] >= emulatedBytes[1] && simulatedBytes[1] - emulatedBytes[1] < 64,
                        "simulated " + simulatedBytes[1] + " bytes back, emulated " + emulatedBytes[1]);
            }
        }
        NetworkEmulationTest.assertNothingLeft(run);
    }

    @Test
    @EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
    void edgeRelaysToCloudAndAFailedSecondHopNamesBothTiers() throws Exception {
        Suite suite = Suite.load(Path.of("."));
        Variant v = suite.variants().ensure("resnet-fmnist", "partition");
        InputPool pool = suite.pool("resnet-fmnist", 3);
        DeploymentProfile edgeCloud = suite.profiles().deployment("edge-cloud");
        assertNull(EmulatedTiers.unsupported(edgeCloud));
        String run;
        try (DeploymentRunner simulated = suite.runner("resnet-fmnist", "partition", "edge-cloud", Costs.SIMULATED);
             EmulatedTiers tiers = EmulatedTiers.open(suite.home(), suite.profiles(), edgeCloud, v, TIMEOUT);
             DeploymentRunner emulated = suite.runner("resnet-fmnist", "partition", "edge-cloud", Costs.EMULATED,
                     tiers.opener(ENV, v, TIMEOUT))) {
            run = tiers.emulation().runId();
            assertEquals(List.of("edge"), List.copyOf(tiers.endpoints().keySet()), "the origin calls edge only");
            assertTrue(tiers.describe().get("relays").toString().contains("cloud=http://198.18."), tiers.describe().toString());
            for (int i = 0; i < pool.size(); i++) {
                byte[] raw = pool.get(i);
                DeploymentRunner.Answer expected = simulated.run(raw);
                String output = expected.tensors().get(0).name();
                float[] want = expected.floats(output).clone();
                long[] simulatedBytes = simulated.lastBreakdown().bytes.clone();
                assertArrayEquals(want, emulated.run(raw).floats(output), 1e-4f);
                Breakdown b = emulated.lastBreakdown();
                assertEquals(0, b.transferNanos, "real links: nothing waited");
                // the path's round trips are paid once each: 1 ms mobile-edge, 20 ms edge-cloud (store and forward)
                assertTrue(b.remoteNanos >= 21e6, "the edge's call holds both hops: " + b.remoteNanos / 1e6 + " ms");
                assertEquals(raw.length, b.bytes[0], "the first hop carries the encoded image");
                assertEquals(simulatedBytes[0], b.bytes[0]);
                // edge -> cloud: the intermediate tensor's data; the simulated payload adds the codec's names and shapes
                assertTrue(b.bytes[1] > 0 && simulatedBytes[1] >= b.bytes[1] && simulatedBytes[1] - b.bytes[1] < 64,
                        "intermediate: simulated " + simulatedBytes[1] + " bytes, relayed " + b.bytes[1]);
                assertEquals(40, b.bytes[2], "10 FP32 scores come back");
            }
            for (String pid : Shell.lines(Shell.run("ip", "netns", "pids", tiers.emulation().namespace("cloud")))) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                for (int i = 0; i < 50; i++) {
                    emulated.run(pool.get(0));
                    Thread.sleep(20);
                }
            });
            assertTrue(e.getMessage().contains("tier 'edge'") && e.getMessage().contains("relaying to tier 'cloud'"), e.getMessage());
        }
        NetworkEmulationTest.assertNothingLeft(run);
    }

    @Test
    @EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
    void overGrpcTheTailAnswersAsOverRest() throws Exception {
        Variant v = tiny();
        String run;
        System.setProperty(EmulatedTiers.TRANSPORT_PROPERTY, "grpc");
        try (EmulatedTiers tiers = EmulatedTiers.open(Path.of("."), PROFILES, PROFILES.deployment("mobile-edge"), v, TIMEOUT);
             DeploymentRunner r = DeploymentRunner.open(ENV, v, PROFILES.deployment("mobile-edge"), PROFILES, Costs.EMULATED,
                     RemoteStageTestSupport.floats(ENV, 4), tiers.opener(ENV, v, TIMEOUT))) {
            run = tiers.emulation().runId();
            assertEquals("grpc", tiers.endpoints().get("edge").getScheme(), tiers.endpoints().toString());
            assertEquals("grpc", tiers.describe().get("transport"));
            for (int round = 0; round < 3; round++) {
                assertArrayEquals(new float[] {4, 6, 8, 10}, r.run(RemoteStageTestSupport.raw(1, 2, 3, 4)).floats("y"));
                assertEquals(16, r.lastBreakdown().bytes[1], "the head's output crosses as 4 floats");
                assertTrue(r.lastBreakdown().remoteNanos >= 1e6, "the mobile-edge round trip (1 ms) is paid");
            }
        } finally {
            System.clearProperty(EmulatedTiers.TRANSPORT_PROPERTY);
        }
        NetworkEmulationTest.assertNothingLeft(run);
    }

    @Test
    void twoConsecutiveStagesOnOneTierAreRefusedBeforeAnythingIsBuilt() throws Exception {
        assertNull(EmulatedTiers.unsupported(PROFILES.deployment("mobile-cloud")));
        assertNull(EmulatedTiers.unsupported(PROFILES.deployment("edge-cloud")));
        DeploymentProfile twice = new DeploymentProfile("edge-edge", List.of("edge", "edge"), DeploymentProfile.FirstHop.RAW, "");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> EmulatedTiers.open(Path.of("."), PROFILES, twice, tiny(), TIMEOUT));
        assertTrue(e.getMessage().contains("'edge-edge'") && e.getMessage().contains("simulated"), e.getMessage());
    }
}
