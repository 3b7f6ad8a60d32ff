package org.tiermark.accuracy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.GoldenFiles;
import org.tiermark.Json;

/**
 * accuracy.json is one record written and read by the same code: what the step writes is the golden
 * file, and reading it back gives the same record. The input is the accuracy step's own output of a
 * real run (golden/run/accuracy.json, from docs/runs/20261125-224222-vm).
 */
class AccuracyReportGoldenTest {
    @Test
    void writtenAsTheGoldenFile(@TempDir Path tmp) throws Exception {
        AccuracyReport.Read read = AccuracyReport.read(GoldenFiles.DIR.resolve("run/accuracy.json"));
        assertEquals(List.of(), read.problems());
        assertEquals(3, read.report().entries().size());
        Path written = read.report().write(tmp);
        GoldenFiles.assertMatches("accuracy.json", Files.readString(written));
        // the same content as the step wrote in that run (field order and values)
        assertEquals(Json.MAPPER.readTree(Files.readString(GoldenFiles.DIR.resolve("run/accuracy.json"))),
                Json.MAPPER.readTree(Files.readString(written)));
    }

    @Test
    void readBackAsTheSameRecord(@TempDir Path tmp) throws Exception {
        AccuracyReport.Entry e = new AccuracyReport.Entry("m", "sptq", "f1", 0.9, new double[] {0.85, 0.95}, -0.01, 0.98, 4, 1.5,
                List.of(1, 0, 1, 0.5), "cloud", Map.of("boxF1", 0.7));
        AccuracyReport r = new AccuracyReport(AccuracyReport.SCHEMA, "2026-11-30T00:00:00Z", "small", List.of(e),
                List.of(new AccuracyReport.Error("m", "prune", "variant not built")));
        AccuracyReport.Read back = AccuracyReport.read(r.write(tmp));
        AccuracyReport.Entry b = back.report().entries().get(0);
        assertEquals(e.model(), b.model());
        assertArrayEquals(e.ci95(), b.ci95());
        assertArrayEquals(new double[] {1, 0, 1, 0.5}, b.perSampleScores());
        assertEquals(e.extra(), b.extra());
        assertEquals(r.errors(), back.report().errors());
        assertTrue(back.problems().get(0).contains("accuracy of m/prune failed: variant not built"), back.problems().toString());
    }

    @Test
    void aForeignFileIsAProblemNotACrash(@TempDir Path tmp) throws Exception {
        Path pkg = Files.writeString(tmp.resolve("package.json"), "{\"name\": \"x\"}");
        AccuracyReport.Read r = AccuracyReport.read(pkg);
        assertTrue(r.report().entries().isEmpty());
        assertTrue(r.problems().get(0).contains("field 'schema' must be 'tiermark-accuracy/1'"), r.problems().toString());
    }
}
