package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.Suite;

/** run.json's format against a checked-in golden file: a change of format is a visible diff in review. */
class RunRecordTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/run.json");

    static RunRecord fixed() {
        Matrix.Cell edge = new Matrix.Cell("minilm-l6", "identity", "edge");
        Matrix.Cell sptq = new Matrix.Cell("minilm-l6", "sptq", "edge");
        return new RunRecord(RunRecord.SCHEMA_VERSION, "host-1", "2026-11-30T03:00:00Z", "2026-11-30T03:10:00Z",
                RunRecord.Status.PARTIAL, 2, "OpenJDK 64-Bit Server VM 17.0.12", "Linux 6.1 amd64", "0123abcd", "default",
                "model=minilm-l6;deployment=edge", new JmhSettings(1, 1, "1s", 3, "1s", "", "", 30), List.of(edge, sptq),
                List.of(edge), List.of(new RunRecord.SkippedVariant("minilm-l6", "sptq", "field 'sptq.calibration.samples': must be > 0")),
                List.of("sptq-vs-identity.resnet18: the matrix measures no sptq variant"), 3,
                List.of(new RunRecord.Failure("03-HarnessOverheadBenchmark-minilm-l6", "java.lang.IllegalStateException: boom")),
                "targets.json", List.of(new Matrix.Cell("minilm-l6", "identity", "cloud")))
                .withLinks("remote", new LinkedHashMap<>(Map.of("tiers", Map.of("edge", Map.of("endpoint", "http://10.0.0.5:8000")))));
    }

    @Test
    void aRunRecordWithoutLinksWasSimulated(@TempDir Path dir) throws Exception {
        String old = Files.readString(GOLDEN).replaceFirst(",\\s*\"links\"[\\s\\S]*\\}\\s*$", "\n}\n");
        assertTrue(!old.contains("\"links\"") && old.contains("leftOut"), old);
        Files.writeString(dir.resolve(RunRecord.FILE), old);
        RunRecord read = RunRecord.read(dir);
        assertEquals("simulated", read.links());
        assertEquals(Map.of(), read.linkSetup());
    }

    @Test
    void writesTheGoldenFileAndReadsItBack(@TempDir Path dir) throws Exception {
        fixed().write(dir);
        String written = Files.readString(dir.resolve(RunRecord.FILE));
        if (Boolean.getBoolean("tiermark.updateGolden")) {
            Files.writeString(GOLDEN, written);
        }
        assertEquals(Files.readString(GOLDEN), written);
        assertEquals(fixed(), RunRecord.read(dir));
    }

    @Test
    void aRunIsCompleteOnlyWhenFinishedWithMeasurementsAndNoFailure() {
        RunRecord started = RunRecord.started("h", "2026-11-30T03:00:00Z", "c", fixedMatrix(), "", fixed().jmh(), List.of(), "targets.json", List.of(), null);
        assertNull(started.finishedUtc());
        assertEquals(RunRecord.Status.RUNNING, started.status());
        assertFalse(started.complete());
        assertEquals(RunRecord.Status.NOTHING_MEASURED, started.finished("t", 0, List.of()).status());
        assertFalse(started.finished("t", 0, List.of()).complete());
        assertEquals(RunRecord.Status.PARTIAL, started.finished("t", 4, fixed().failures()).status());
        assertFalse(started.finished("t", 4, fixed().failures()).complete());
        assertTrue(started.finished("t", 4, List.of()).complete());
        assertFalse(started.finished("t", 4, List.of()).withFailure(new RunRecord.Failure("report", "x")).complete());
    }

    @Test
    void unknownFieldsAreReadAndOtherVersionsRefused(@TempDir Path dir) throws Exception {
        String text = Files.readString(GOLDEN);
        Files.writeString(dir.resolve(RunRecord.FILE), text.replaceFirst("\\{", "{\n  \"addedLater\" : 1,"));
        assertEquals(fixed(), RunRecord.read(dir));
        Files.writeString(dir.resolve(RunRecord.FILE), text.replace("\"schemaVersion\" : 2", "\"schemaVersion\" : 1"));
        String msg = assertThrows(InvalidInputException.class, () -> RunRecord.read(dir)).getMessage();
        assertTrue(msg.contains("schemaVersion"), msg);
        assertTrue(Json.MAPPER.readTree(text).get("finishedUtc").isTextual());
    }

    private static Matrix fixedMatrix() {
        return Matrix.plan(Suite.load(Path.of(System.getProperty("tiermark.home", "."))), Matrix.Size.SMOKE,
                List.of("identity"), (m, o) -> 1).restrict("");
    }
}
