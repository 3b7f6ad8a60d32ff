package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.GoldenFiles;
import org.tiermark.cli.Tiermark;

/** The report of a run that did not finish (run.json without finishedUtc) says so at the very top. */
class InterruptedRunTest {
    private static Path killedRun(Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("20261125-170000-host"));
        Files.copy(GateTest.JMH.resolve("linkwait-a.json"), run.resolve("jmh.json"));
        Files.writeString(run.resolve("run.json"), """
                {"schema": "tiermark-run/1", "host": "vm", "startedUtc": "2026-11-25T17:00:00Z", "someFutureField": {"x": 1}}""");
        return run;
    }

    @Test
    void saidAtTheTopOfEveryRendering(@TempDir Path tmp) throws Exception {
        Path run = killedRun(tmp);
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults().withPlots(false));
        assertTrue(r.report().interruption().isPresent());
        List<String> md = Files.readAllLines(run.resolve("report.md"));
        assertEquals("**INCOMPLETE RUN: this run did not finish (run.json has no finishedUtc; started 2026-11-25T17:00:00Z): "
                + "it was killed or is still running, and its results are partial**", md.get(2));
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.indexOf("INCOMPLETE RUN") < html.indexOf("Inputs:"), html.substring(0, 400));
        assertTrue(Files.readString(run.resolve("report.json")).contains("\"interrupted\" : \"this run did not finish"));
    }

    @Test
    void aFinishedRunSaysNothing(@TempDir Path tmp) throws Exception {
        Path run = killedRun(tmp);
        Files.writeString(run.resolve("run.json"), "{\"startedUtc\": \"2026-11-25T17:00:00Z\", \"finishedUtc\": \"2026-11-25T17:10:00Z\"}");
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults().withPlots(false));
        assertTrue(r.report().interruption().isEmpty());
        assertTrue(!Files.readString(run.resolve("report.md")).contains("INCOMPLETE"));
    }

    @Test
    void saidFirstOnTheConsole(@TempDir Path tmp) throws Exception {
        Path run = killedRun(tmp);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(0, Tiermark.run(new String[] {"report", run.toString(), "--no-plots"}));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().startsWith("warning: this run did not finish"), err.toString());
    }

    @Test
    void goldenReportOfAKilledRun(@TempDir Path tmp) throws Exception {
        Path run = killedRun(tmp);
        Path out = tmp.resolve("out");
        RunReport.write(run, out, ReportOptions.defaults().withPlots(false));
        String md = GoldenFiles.mask(Files.readString(out.resolve("report.md")), run.toString(), "run");
        md = GoldenFiles.mask(md, Path.of("").toAbsolutePath().toString(), "home");
        GoldenFiles.assertMatches("interrupted-report/report.md", md);
    }
}
