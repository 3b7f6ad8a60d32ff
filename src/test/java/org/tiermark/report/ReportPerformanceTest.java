package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a run as large as the full matrix: prints its wall time (the target is under 10 s;
 * not asserted, this machine is shared) and checks that everything was reported.
 */
@EnabledIfSystemProperty(named = "tiermark.slow", matches = "true")
class ReportPerformanceTest {
    @Test
    void fullSizeRun(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        SyntheticRun.write(run.resolve("jmh.json"), 11);
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults().withBaseline(run.resolve("jmh.json")));
        System.out.printf("report of a full-size synthetic run (%d benchmarks, %.1f MB JSON): %.2f s, phases %s%n",
                r.report().tables().stream().filter(t -> t.id().equals("benchmarks")).findFirst().orElseThrow().rows().size(),
                Files.size(run.resolve("jmh.json")) / 1e6, r.millis() / 1000.0, r.phaseMillis());
        assertEquals(3 * 8 * 6 + 3 * 6 + 6 + 3, r.report().tables().stream().filter(t -> t.id().equals("benchmarks")).findFirst().orElseThrow().rows().size());
        assertTrue(r.report().gate().rows().stream().allMatch(x -> x.verdict() == Gate.Verdict.UNCHANGED));
        // the synthetic run has no paired benchmarks: only the link-wait target is checked
        assertEquals(3, r.report().checks().stream().filter(c -> c.target().equals("link-wait")).count());
        // per model a box plot PNG for each of the 6 deployments; no accuracy in the synthetic run, so no latency-vs-accuracy picture
        assertEquals(3 * 6, r.files().stream().filter(p -> p.toString().endsWith(".png") || p.toString().endsWith(".svg")).count());
    }
}
