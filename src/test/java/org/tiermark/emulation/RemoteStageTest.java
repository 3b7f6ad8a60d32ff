package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.TinyModels;
import org.tiermark.data.Preprocessor;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.Costs;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LocalStage;
import org.tiermark.runtime.Stage;
import org.tiermark.tier.Profiles;

/** A variant's tail served by a real tier agent on loopback runs through the unchanged runner. */
class RemoteStageTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir
    Path dir;

    @Test
    void theTailOnAnAgentGivesWhatItGivesInProcess() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        Path tail = TinyModels.elementwise(dir.resolve("tail.onnx"), "Mul", "h", "y", 4, 2f);
        Profiles p = Profiles.load(Path.of("profiles"));
        Variant v = new Variant("tiny", "partition", List.of(head, tail), null);
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of("tail", tail), Sessions.Settings.oneThread()))) {
            Stage.Opener local = LocalStage.opener(ENV);
            Stage.Opener remote = RemoteStage.opener(ENV, i -> new RemoteStage.Served(agent.endpoint(), "tail"), Duration.ofSeconds(10));
            Stage.Opener mixed = (i, file, tier) -> i == 0 ? local.open(i, file, tier) : remote.open(i, file, tier);
            try (DeploymentRunner r = DeploymentRunner.open(ENV, v, p.deployment("mobile-edge"), p, Costs.NONE, floats(4), mixed)) {
                for (int round = 0; round < 3; round++) {
                    assertArrayEquals(new float[] {4, 6, 8, 10}, r.run(raw(1, 2, 3, 4)).floats("y"), "round " + round);
                }
            }
        }
    }

    @Test
    void anUnreachableServerIsNamedWhenTheStageOpens() throws Exception {
        Path tail = TinyModels.elementwise(dir.resolve("tail.onnx"), "Mul", "h", "y", 4, 2f);
        Profiles p = Profiles.load(Path.of("profiles"));
        // a port nothing listens on: the agent is started and closed first
        URI gone;
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of("tail", tail), Sessions.Settings.oneThread()))) {
            gone = agent.endpoint();
        }
        Stage.Opener remote = RemoteStage.opener(ENV, i -> new RemoteStage.Served(gone, "tail"), Duration.ofSeconds(2));
        RuntimeException e = assertThrows(RuntimeException.class, () -> remote.open(0, tail, p.tier("edge")));
        assertTrue(e.getMessage().contains(gone.toString()) && e.getMessage().contains("tail"), e.getMessage());
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
