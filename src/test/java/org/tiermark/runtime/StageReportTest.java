package org.tiermark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.TinyModels;
import org.tiermark.operator.Variant;
import org.tiermark.tier.Profiles;

/** The stage file's format against a checked-in golden file: a change of format is a visible diff. */
class StageReportTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/stage-report.json");

    @TempDir
    Path dir;

    static StageReport sample() {
        long mib = 1L << 20;
        return new StageReport(StageReport.SCHEMA_VERSION, "DeploymentBenchmark", "resnet-fmnist", "partition",
                "mobile-edge",
                List.of(StageReport.StageMemory.of(0, "mobile", 1_234_567, 40 * mib, 3 * mib, 4096),
                        StageReport.StageMemory.of(1, "edge", 2_345_678, -1, 5 * mib, 16384)),
                List.of(new StageReport.HopPayload("mobile>mobile", 0, List.of()),
                        new StageReport.HopPayload("mobile>edge", 50_212, List.of("mobile-edge")),
                        new StageReport.HopPayload("edge>mobile", 68, List.of("mobile-edge"))));
    }

    @Test
    void writesTheGoldenFileByteForByte() throws IOException {
        Path file = dir.resolve("stages/s.json");
        sample().write(file);
        assertEquals(Files.readString(GOLDEN).strip(), Files.readString(file).strip());
    }

    @Test
    void readsTheGoldenFileBack() {
        StageReport r = StageReport.read(GOLDEN);
        assertEquals(sample(), r);
        assertEquals(43L << 20, r.stages().get(0).memoryBytes());
        assertEquals(-1, r.stages().get(1).memoryBytes(), "unknown stays unknown");
        assertEquals(List.of(0L, 50_212L, 68L), r.hops().stream().map(StageReport.HopPayload::payloadBytes).toList());
    }

    @Test
    void aFileOfAnotherVersionOrInconsistentFiguresIsRefused() throws IOException {
        Path file = dir.resolve("s.json");
        Files.writeString(file, Files.readString(GOLDEN).replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 2"));
        String m = assertThrows(InvalidInputException.class, () -> StageReport.read(file)).getMessage();
        assertTrue(m.contains("s.json") && m.contains("schemaVersion"), m);
        Files.writeString(file, Files.readString(GOLDEN).replace("\"fitsBudget\" : true", "\"fitsBudget\" : false"));
        m = assertThrows(InvalidInputException.class, () -> StageReport.read(file)).getMessage();
        assertTrue(m.contains("fitsBudget"), m);
    }

    @Test
    void aStageAboveItsTierBudgetDoesNotFit() {
        long gib = 1L << 30;
        assertFalse(StageReport.StageMemory.of(0, "mobile", 1, 3 * gib, 2 * gib, 4096).fitsBudget(), "5 GiB > 4 GiB");
        assertTrue(StageReport.StageMemory.of(0, "mobile", 1, gib, gib, 4096).fitsBudget(), "2 GiB <= 4 GiB");
    }

    @Test
    void aRunnersReportRoundTrips() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        Path tail = TinyModels.elementwise(dir.resolve("tail.onnx"), "Mul", "h", "y", 4, 2f);
        Profiles p = Profiles.load(Path.of(System.getProperty("tiermark.home", ".")).resolve("profiles"));
        ByteBuffer raw = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        try (DeploymentRunner r = DeploymentRunner.open(OrtEnvironment.getEnvironment(),
                new Variant("tiny", "partition", List.of(head, tail), null), p.deployment("mobile-edge"), p,
                Costs.NONE, DeploymentRunnerTest.floats(4))) {
            r.warmUp(raw.array());
            StageReport report = r.stageReport("DeploymentBenchmark");
            Path file = dir.resolve("stages/tiny.json");
            report.write(file);
            assertEquals(report, StageReport.read(file));
            assertEquals(List.of("mobile", "edge"), report.stages().stream().map(StageReport.StageMemory::tier).toList());
            assertEquals(Files.size(head), report.stages().get(0).fileBytes());
            assertEquals(r.lastBreakdown().bytes[1], report.hops().get(1).payloadBytes());
            assertEquals(List.of("mobile-edge"), report.hops().get(1).links());
        }
    }
}
