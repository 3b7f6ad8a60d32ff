package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets are data: a target added to a targets file (a new id over measurements that exist) is
 * checked with no report code changed, and a run's own copy of the targets wins over the project's.
 */
class TargetsAsDataTest {
    static final Path RUN = ReportGoldenTest.RUN;

    /** The project's targets plus {@code extra} (JSON objects), as a targets file. */
    private static Path targetsWith(Path dir, String extra) throws Exception {
        String project = Files.readString(Path.of("profiles/targets.json"));
        int end = project.lastIndexOf(']');
        return Files.writeString(dir.resolve("targets.json"), project.substring(0, end) + ", " + extra + project.substring(end));
    }

    @Test
    void aNewTargetInTheFileIsChecked(@TempDir Path tmp) throws Exception {
        Path targets = targetsWith(tmp, """
                {"id": "sptq-vs-identity.resnet18.strict", "what": "a stricter sptq target on the same cell",
                 "benchmark": "ModelLatencyBenchmark.paired",
                 "params": {"model": ["resnet18-synthetic"], "operator": ["sptq"], "against": ["identity"]},
                 "measure": {"kind": "pairedRatio", "numerator": "variantNanos", "denominator": "againstNanos"}, "max": 0.30},
                {"id": "link-wait.tight", "what": "the link wait within 0.01 us", "benchmark": "LinkWaitBenchmark.linkWait",
                 "params": {"waitMicros": ["20000"]},
                 "measure": {"kind": "waitError", "param": "waitMicros", "relative": 0.0, "absoluteMicros": 0.01}}""");
        RunReport.Result r = RunReport.write(RUN, tmp.resolve("out"), ReportOptions.defaults().withPlots(false).withTargets(targets));
        List<Report.Check> checks = r.report().checks();
        // the project's targets are still checked, and each new one over the same cells adds its own check
        assertEquals(1, checks.stream().filter(c -> c.target().equals("sptq-vs-identity.resnet18")).count(), checks.toString());
        Report.Check strict = checks.stream().filter(c -> c.target().equals("sptq-vs-identity.resnet18.strict")).findFirst().orElseThrow();
        assertEquals(0.3473, strict.value(), 0.0005);
        assertFalse(strict.pass(), "0.347 is above 0.30");
        assertEquals("<= 0.3", strict.threshold());
        Report.Check tight = checks.stream().filter(c -> c.target().equals("link-wait.tight")).findFirst().orElseThrow();
        assertEquals("waitMicros=20000", tight.subject());
        assertFalse(tight.pass(), "a 54 us error is not within 0.01 us");
        assertTrue(Files.readString(tmp.resolve("out/report.md")).contains("- sptq-vs-identity.resnet18.strict "));

        Path alone = Files.writeString(tmp.resolve("alone.json"), """
                {"schemaVersion": 1, "targets": [
                {"id": "sptq-vs-identity.resnet18.strict", "what": "a stricter sptq target on the same cell",
                 "benchmark": "ModelLatencyBenchmark.paired",
                 "params": {"model": ["resnet18-synthetic"], "operator": ["sptq"], "against": ["identity"]},
                 "measure": {"kind": "pairedRatio", "numerator": "variantNanos", "denominator": "againstNanos"}, "max": 0.30}]}""");
        RunReport.Result s = RunReport.write(RUN, tmp.resolve("out2"), ReportOptions.defaults().withPlots(false).withTargets(alone));
        // cells of the same benchmark no target covers are shown in its table, not judged
        Table t = s.report().tables().stream().filter(x -> x.id().equals("sptq-vs-identity.resnet18.strict")).findFirst().orElseThrow();
        assertEquals(3, t.rows().size());
        assertEquals(1, s.report().checks().size());
        assertTrue(Files.readString(tmp.resolve("out2/report.md")).contains("sptq-vs-identity.resnet18.strict"));
    }

    @Test
    void theRunsOwnTargetsWin(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        for (String f : new String[] {"jmh.json", "run.json"}) {
            Files.copy(RUN.resolve(f), run.resolve(f));
        }
        Files.writeString(run.resolve("targets.json"), """
                {"schemaVersion": 1, "targets": [{"id": "only-this", "what": "one target", "benchmark": "LinkWaitBenchmark.linkWait",
                  "params": {"waitMicros": ["5000"]}, "measure": {"kind": "waitError", "param": "waitMicros", "relative": 0.02, "absoluteMicros": 50}}]}""");
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults().withPlots(false));
        assertEquals(List.of("only-this"), r.report().checks().stream().map(Report.Check::target).distinct().toList());
        assertTrue(r.report().inputs().contains(run.resolve("targets.json").toString()), r.report().inputs().toString());
    }

    @Test
    void aBrokenCopyInTheRunIsAProblemNotAnEnd(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.copy(RUN.resolve("jmh.json"), run.resolve("jmh.json"));
        Files.writeString(run.resolve("targets.json"), "{\"schemaVersion\": 9, \"targets\": []}");
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults().withPlots(false));
        assertTrue(r.report().checks().isEmpty());
        assertTrue(r.report().problems().stream().anyMatch(p -> p.contains("targets.json") && p.contains("schemaVersion")),
                r.report().problems().toString());
    }

    @Test
    void theOldVariantParamIsReadAsOperator() {
        Measurement old = new Measurement("org.tiermark.bench.ModelLatencyBenchmark.paired", "sample", "ms/op",
                Map.of("variant", "sptq"), Samples.of(1.0), null, null, "");
        assertEquals("sptq", TargetChecks.param(old, "operator"));
        assertNull(TargetChecks.param(old, "against"));
    }
}
