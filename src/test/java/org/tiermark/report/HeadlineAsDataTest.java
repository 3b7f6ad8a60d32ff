package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The headline table's benchmark comes from the run's own {@code benchmarks.json}, not from report code. */
class HeadlineAsDataTest {
    static final Path RUN = ReportGoldenTest.RUN;

    private static Table headline(Path run) throws Exception {
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults().withPlots(false));
        return r.report().tables().stream().filter(t -> t.id().equals("deployments")).findFirst().orElse(null);
    }

    private static Path runWith(Path tmp, String headline) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.copy(RUN.resolve("jmh.json"), run.resolve("jmh.json"));
        String project = Files.readString(Path.of("profiles/benchmarks.json"));
        Files.writeString(run.resolve(RunInputs.BENCHMARKS_FILE),
                project.replace("\"headline\": \"DeploymentBenchmark.request\"", "\"headline\": \"" + headline + "\""));
        return run;
    }

    @Test
    void theProjectsHeadlineIsTheDeploymentCells(@TempDir Path tmp) throws Exception {
        assertEquals(9, headline(runWith(tmp, "DeploymentBenchmark.request")).rows().size());
    }

    @Test
    void theRunsOwnHeadlineWins(@TempDir Path tmp) throws Exception {
        Path run = runWith(tmp, "ColdStartBenchmark.sessionAndFirstRequest");
        Table t = headline(run);
        assertEquals(1, t.rows().size(), "the one cold-start cell of the run");
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults().withPlots(false));
        assertTrue(r.report().inputs().contains(run.resolve(RunInputs.BENCHMARKS_FILE).toString()), r.report().inputs().toString());
    }
}
