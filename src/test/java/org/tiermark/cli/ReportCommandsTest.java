package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tiermark report} and {@code tiermark compare} from the command line: help, exit codes, files. */
class ReportCommandsTest extends ConsoleCaptured {
    static final Path JMH = Path.of("src/test/resources/jmh");

    @Test
    void helpOfBoth() {
        assertEquals(0, Tiermark.run(new String[] {"report", "--help"}));
        assertTrue(out.toString().contains("--max-accuracy-drop"));
        assertEquals(0, Tiermark.run(new String[] {"compare", "--help"}));
        assertTrue(out.toString().contains("--compose SPEC"));
        assertEquals(0, Tiermark.run(new String[] {"--help"}));
        assertTrue(out.toString().contains("report") && out.toString().contains("compare"));
    }

    @Test
    void reportExitCodes(@TempDir Path tmp) throws Exception {
        assertEquals(0, Tiermark.run(new String[] {"report", JMH.resolve("linkwait-a.json").toString(), "--out", tmp.resolve("a").toString(), "--no-plots"}));
        assertTrue(Files.exists(tmp.resolve("a/report.json")));
        // the gate fails the command on a real 20% slower run
        assertEquals(1, Tiermark.run(new String[] {"report", JMH.resolve("linkwait-slowed-1200-6000.json").toString(),
                "--baseline", JMH.resolve("linkwait-a.json").toString(), "--out", tmp.resolve("b").toString(), "--no-plots"}));
        assertTrue(out.toString().contains("| regression |"), out.toString());
        // and passes the A/A pair
        assertEquals(0, Tiermark.run(new String[] {"report", JMH.resolve("linkwait-b.json").toString(),
                "--baseline", JMH.resolve("linkwait-a.json").toString(), "--out", tmp.resolve("c").toString(), "--no-plots"}));
        // bad input: exit 2 with a message naming the problem
        assertEquals(2, Tiermark.run(new String[] {"report", tmp.resolve("missing").toString()}));
        assertTrue(err.toString().contains("no such run folder or file"), err.toString());
        assertEquals(2, Tiermark.run(new String[] {"report", JMH.resolve("linkwait-a.json").toString(), "--threshold", "-1"}));
        assertTrue(err.toString().contains("threshold"), err.toString());
        assertEquals(2, Tiermark.run(new String[] {"report", "a", "b"}));
    }

    @Test
    void budgetsGiveRecommendations(@TempDir Path tmp) throws Exception {
        Path csv = Path.of("src/test/resources/paper/whitebox-latency.csv");
        assertEquals(0, Tiermark.run(new String[] {"report", csv.toString(), "--out", tmp.toString(), "--no-plots",
                "--max-latency-ms", "3000", "--max-accuracy-drop", "1.0"}));
        String md = Files.readString(tmp.resolve("report.md"));
        // ResNet under 3 s within 1 point: only sptq on edge (3.479 s) misses the budget; distill on edge (3.168 s) too
        assertTrue(md.contains("resnet-whitebox-latency / budget latency <= 3000 ms accuracy drop <= 1.00 points"), md);
        assertTrue(md.contains("ResNet: no strategy meets the budget latency <= 3000 ms accuracy drop <= 1.00 points; the fastest is distill+sptq on edge"), md);
        assertTrue(md.contains("Bert on cloud, sptq"), md);
    }

    @Test
    void compareTwoRuns(@TempDir Path tmp) {
        assertEquals(0, Tiermark.run(new String[] {"compare", JMH.resolve("linkwait-a.json").toString(),
                JMH.resolve("linkwait-slowed-1200-6000.json").toString(), "--out", tmp.toString()}));
        assertTrue(out.toString().contains("#2/#1"), out.toString());
        assertTrue(Files.exists(tmp.resolve("compare.json")));
        assertEquals(2, Tiermark.run(new String[] {"compare", JMH.resolve("linkwait-a.json").toString()}));
    }
}
