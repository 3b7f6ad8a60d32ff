package org.tiermark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.onnx.Sessions;
import org.tiermark.tier.LinkDelay;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.TinyModels;
import org.tiermark.data.InputPool;
import org.tiermark.data.Preprocessor;
import org.tiermark.Preprocessors;
import org.tiermark.model.Catalog;
import org.tiermark.operator.Variant;
import org.tiermark.tier.ComputeEmulation;
import org.tiermark.tier.DeploymentProfile;
import org.tiermark.tier.LinkCost;
import org.tiermark.tier.Profiles;
import org.tiermark.tier.TierProfile;

class DeploymentRunnerTest {
    static Suite suite;
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        suite = Suite.load(Path.of(System.getProperty("tiermark.home", ".")));
    }

    /** A preprocessor for the tiny models: the raw bytes are little-endian floats. */
    static Preprocessor floats(int n) {
        return new Preprocessor() {
            @Override
            public Map<String, OnnxTensor> prepare(byte[] raw) throws ai.onnxruntime.OrtException {
                FloatBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                return Map.of("x", OnnxTensor.createTensor(ENV, b, new long[] {1, n}));
            }

            @Override
            public void close() {}
        };
    }

    static byte[] raw(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void minilmOnEdgeAnswersExactlyWhatOnnxRuntimeAnswers() throws Exception {
        Catalog.Model m = suite.catalog().model("minilm-l6");
        InputPool pool = suite.pool("minilm-l6", 3);
        float[] direct;
        try (Preprocessor pre = Preprocessors.create(m, ENV);
             OrtSession s = Sessions.open(ENV, m.onnx(), suite.profiles().tier("edge").sessionSettings())) {
            Map<String, OnnxTensor> in = pre.prepare(pool.get(1));
            try (OrtSession.Result r = s.run(in)) {
                FloatBuffer fb = ((OnnxTensor) r.get("last_hidden_state").orElseThrow()).getFloatBuffer();
                direct = new float[fb.remaining()];
                fb.get(direct);
            } finally {
                in.values().forEach(OnnxTensor::close);
            }
        }
        for (LinkDelayModel delay : List.of(LinkDelayModel.SIMULATED, LinkDelayModel.OFF)) {
            try (DeploymentRunner r = suite.runner("minilm-l6", "identity", "edge", delay)) {
                r.warmUp(pool.get(0));
                DeploymentRunner.Answer a = r.run(pool.get(1));
                assertArrayEquals(direct, a.floats("last_hidden_state"), "the runner changes no output (" + delay + ")");
                a = r.run(pool.get(1));
                assertArrayEquals(direct, a.floats("last_hidden_state"), "pinned outputs on later calls (" + delay + ")");
                Breakdown b = r.lastBreakdown();
                assertEquals(pool.get(1).length, b.bytes[0], "the raw UTF-8 text crosses the first link");
                assertEquals(4 + 4 + "last_hidden_state".length() + 4 + 4 + 3 * 8 + 4 + 128 * 384 * 4, b.bytes[1],
                        "the encoded hidden states cross back");
                if (delay == LinkDelayModel.SIMULATED) {
                    long modeled = LinkDelay.transferNanos(r.hops().get(0).links(), b.bytes[0], new LinkDelay.Jitter())
                            + LinkDelay.transferNanos(r.hops().get(1).links(), b.bytes[1], new LinkDelay.Jitter());
                    assertEquals(modeled, b.transferNanos);
                    // edge runs at half the machine's speed (stretch = compute there), mobile at a quarter
                    // (decoding the answer: stretch = 3 x compute): together between 1x and 3x
                    assertTrue(b.stretchNanos >= b.computeNanos - 1000 && b.stretchNanos <= 3 * b.computeNanos,
                            b.stretchNanos + " vs " + b.computeNanos);
                    assertTrue(b.stretchNanos >= b.stageComputeNanos[0] - 1000, "the session run on edge waits as long again");
                    assertTrue(b.totalNanos >= b.computeNanos + b.stretchNanos + b.transferNanos);
                } else {
                    assertEquals(0, b.transferNanos + b.stretchNanos, "off: links and tiers cost nothing");
                }
                assertTrue(r.stageMemory().get(0).fileBytes() > 80_000_000);
                assertTrue(r.stageMemory().get(0).memoryBytes() > 0, "a 90 MB session grows resident memory");
                assertTrue(r.stageMemory().get(0).fitsBudget(), "MiniLM fits the edge budget of 16 GB");
            }
        }
    }

    @Test
    void twoStagesPassTheRealIntermediateTensorAcrossTheLink() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        Path tail = TinyModels.elementwise(dir.resolve("tail.onnx"), "Mul", "h", "y", 4, 2f);
        Variant split = new Variant("tiny", "partition", List.of(head, tail), null);
        Profiles p = suite.profiles();
        try (DeploymentRunner r = DeploymentRunner.open(ENV, split, p.deployment("mobile-edge"), p,
                Costs.SIMULATED, floats(4))) {
            DeploymentRunner.Answer a = r.run(raw(1, 2, 3, 4));
            assertArrayEquals(new float[] {4, 6, 8, 10}, a.floats("y"));
            Breakdown b = r.lastBreakdown();
            assertEquals(0, b.bytes[0], "input captured on mobile, head on mobile: nothing crosses");
            int tensorPayload = 4 + 4 + 1 + 4 + 4 + 2 * 8 + 4 + 16;
            assertEquals(tensorPayload, b.bytes[1], "the intermediate tensor h crosses mobile>edge");
            assertEquals(tensorPayload, b.bytes[2], "the answer y returns edge>mobile");
            assertEquals(2, b.stageComputeNanos.length);
        }
    }

    @Test
    void firstHopTensorSendsThePreprocessedTensors() throws Exception {
        Path model = TinyModels.elementwise(dir.resolve("m.onnx"), "Add", "x", "y", 4, 1f);
        Profiles p = suite.profiles();
        DeploymentProfile tensorFirst = new DeploymentProfile("edge-tensor", List.of("edge"), DeploymentProfile.FirstHop.TENSOR, null);
        try (DeploymentRunner r = DeploymentRunner.open(ENV, Variant.identity("tiny", model), tensorFirst, p,
                Costs.NONE, floats(4))) {
            assertArrayEquals(new float[] {2, 3, 4, 5}, r.run(raw(1, 2, 3, 4)).floats("y"));
            assertEquals(4 + 4 + 1 + 4 + 4 + 16 + 4 + 16, r.lastBreakdown().bytes[0]);
        }
    }

    @Test
    void mismatchesAreRefusedBeforeMeasuring() throws Exception {
        Path model = TinyModels.elementwise(dir.resolve("m.onnx"), "Add", "x", "y", 4, 1f);
        Profiles p = suite.profiles();
        String m = assertThrows(InvalidInputException.class, () -> DeploymentRunner.open(ENV,
                Variant.identity("tiny", model), p.deployment("mobile-edge"), p, Costs.SIMULATED, floats(4))).getMessage();
        assertTrue(m.contains("places 2 stage(s)") && m.contains("partition"), m);

        Path notOnnx = Files.writeString(dir.resolve("model.onnx"), "{\"not\": \"onnx\"}");
        m = assertThrows(InvalidInputException.class, () -> DeploymentRunner.open(ENV,
                Variant.identity("tiny", notOnnx), p.deployment("edge"), p, Costs.SIMULATED, floats(4))).getMessage();
        assertTrue(m.contains("model.onnx") && m.contains("not an ONNX model"), m);
    }

    @Test
    void aTierFasterThanThisMachineCannotBeSimulated() throws Exception {
        Path root = dir.resolve("profiles");
        for (String sub : List.of("tiers", "links", "deployments")) {
            Files.createDirectories(root.resolve(sub));
        }
        Files.writeString(root.resolve("tiers/mobile.json"), "{\"name\":\"mobile\",\"intraOpThreads\":1,\"interOpThreads\":1,\"relativeSpeed\":0.25,\"memoryBudgetMb\":4096}");
        Files.writeString(root.resolve("tiers/hpc.json"), "{\"name\":\"hpc\",\"intraOpThreads\":1,\"interOpThreads\":1,\"relativeSpeed\":4,\"memoryBudgetMb\":4096}");
        Files.writeString(root.resolve("links/mobile-hpc.json"), "{\"name\":\"mobile-hpc\",\"from\":\"mobile\",\"to\":\"hpc\",\"bandwidthMbps\":10,\"rttMs\":5}");
        Files.writeString(root.resolve("deployments/hpc.json"), "{\"name\":\"hpc\",\"stages\":[\"hpc\"]}");
        Profiles p = Profiles.load(root);
        Path model = TinyModels.elementwise(dir.resolve("m.onnx"), "Add", "x", "y", 4, 1f);
        String m = assertThrows(InvalidInputException.class, () -> DeploymentRunner.open(ENV,
                Variant.identity("tiny", model), p.deployment("hpc"), p, Costs.SIMULATED, floats(4))).getMessage();
        assertTrue(m.contains("tiers/hpc.json") && m.contains("relativeSpeed") && m.contains("relativeSpeed <= 1")
                && m.contains("compare --compose"), m);
        assertThrows(InvalidInputException.class, () -> p.checkDeployable(List.of("hpc"), ComputeEmulation.STRETCH),
                "the same check, callable before a run folder exists");
        p.checkDeployable(List.of("hpc"), ComputeEmulation.NONE);
        // links still simulated: the two choices are independent
        try (DeploymentRunner r = DeploymentRunner.open(ENV, Variant.identity("tiny", model), p.deployment("hpc"), p,
                new Costs(LinkCost.SIMULATED, ComputeEmulation.NONE), floats(4))) {
            assertArrayEquals(new float[] {2, 2, 2, 2}, r.run(raw(1, 1, 1, 1)).floats("y"), "compute none runs it at machine speed");
            assertEquals(0, r.lastBreakdown().stretchNanos);
            assertTrue(r.lastBreakdown().transferNanos > 0, "the links to hpc still cost time");
        }
    }

    @Test
    void linksOffStillStretchesCompute() throws Exception {
        Path model = TinyModels.elementwise(dir.resolve("m.onnx"), "Add", "x", "y", 4, 1f);
        Profiles p = suite.profiles();
        try (DeploymentRunner r = DeploymentRunner.open(ENV, Variant.identity("tiny", model), p.deployment("edge"), p,
                new Costs(LinkCost.OFF, ComputeEmulation.STRETCH), floats(4))) {
            r.run(raw(1, 2, 3, 4));
            Breakdown b = r.lastBreakdown();
            assertEquals(0, b.transferNanos);
            assertTrue(b.bytes[0] > 0, "payloads are still serialized and counted");
            assertTrue(b.stretchNanos > 0, "edge at half speed is still stretched");
        }
    }

    @Test
    void slowTiersAreStretchedInsideTheCall() throws Exception {
        Path model = TinyModels.elementwise(dir.resolve("m.onnx"), "Add", "x", "y", 4, 1f);
        Profiles p = suite.profiles();
        TierProfile mobile = p.tier("mobile");
        try (DeploymentRunner r = DeploymentRunner.open(ENV, Variant.identity("tiny", model), p.deployment("mobile"), p,
                Costs.SIMULATED, floats(4))) {
            r.run(raw(1, 2, 3, 4));
            Breakdown b = r.lastBreakdown();
            // mobile is 0.25 of this machine: three times the measured compute is added as a wait
            long expected = mobile.stretchedNanos(b.computeNanos) - b.computeNanos;
            assertTrue(Math.abs(b.stretchNanos - expected) <= 4, b.stretchNanos + " vs " + expected);
            assertTrue(b.totalNanos >= b.computeNanos + b.stretchNanos);
            assertEquals(0, b.transferNanos, "a mobile deployment crosses no link");
        }
    }
}
