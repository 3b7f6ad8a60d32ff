package org.tiermark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.TinyModels;
import org.tiermark.operator.Variant;
import org.tiermark.tier.Profiles;

/** Another kind of stage plugs into the runner through {@link Stage.Opener}; the runner keeps the contract. */
class StageContractTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir
    Path dir;

    /** A stage of another kind: here it delegates to a local one and records what the runner does with it. */
    static final class Recorded implements Stage {
        final Stage inner;
        final List<String> log;
        final int index;

        Recorded(int index, Stage inner, List<String> log) {
            this.index = index;
            this.inner = inner;
            this.log = log;
        }

        @Override
        public List<String> inputNames() {
            return inner.inputNames();
        }

        @Override
        public Map<String, OnnxTensor> run(Map<String, OnnxTensor> inputs) throws OrtException {
            log.add("run " + index + " " + inputs.keySet());
            return inner.run(inputs);
        }

        @Override
        public void release() {
            log.add("release " + index);
            inner.release();
        }

        @Override
        public Memory memory() {
            return inner.memory();
        }

        @Override
        public void close() {
            log.add("close " + index);
            inner.close();
        }
    }

    private Profiles profiles() {
        return Profiles.load(Path.of(System.getProperty("tiermark.home", ".")).resolve("profiles"));
    }

    @Test
    void anotherStageKindRunsUnchangedThroughTheRunnerAndIsClosedByIt() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        Path tail = TinyModels.elementwise(dir.resolve("tail.onnx"), "Mul", "h", "y", 4, 2f);
        Profiles p = profiles();
        List<String> log = new ArrayList<>();
        Stage.Opener local = LocalStage.opener(ENV);
        try (DeploymentRunner r = DeploymentRunner.open(ENV, new Variant("tiny", "partition", List.of(head, tail), null),
                p.deployment("mobile-edge"), p, Costs.NONE, DeploymentRunnerTest.floats(4),
                (i, file, tier) -> new Recorded(i, local.open(i, file, tier), log))) {
            assertArrayEquals(new float[] {4, 6, 8, 10}, r.run(DeploymentRunnerTest.raw(1, 2, 3, 4)).floats("y"));
            assertArrayEquals(new float[] {4, 6, 8, 10}, r.run(DeploymentRunnerTest.raw(1, 2, 3, 4)).floats("y"),
                    "the second call reads the pinned outputs");
        }
        assertEquals(List.of("run 0 [x]", "run 1 [h]", "release 0", "release 1", "run 0 [x]", "run 1 [h]",
                "release 0", "release 1", "close 1", "close 0"), log, "outputs released when each request is over");
    }

    @Test
    void whenALaterStageCannotOpenTheOpenedOnesAreClosed() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        Profiles p = profiles();
        List<String> log = new ArrayList<>();
        Stage.Opener local = LocalStage.opener(ENV);
        Stage.Opener failsSecond = (i, file, tier) -> {
            if (i == 1) {
                throw new InvalidInputException("agent for tier '" + tier.name() + "' not reachable");
            }
            return new Recorded(i, local.open(i, file, tier), log);
        };
        String m = assertThrows(InvalidInputException.class, () -> DeploymentRunner.open(ENV,
                new Variant("tiny", "partition", List.of(head, head), null), p.deployment("mobile-edge"), p, Costs.NONE,
                DeploymentRunnerTest.floats(4), failsSecond)).getMessage();
        assertTrue(m.contains("edge"), m);
        assertEquals(List.of("close 0"), log);
    }
}
