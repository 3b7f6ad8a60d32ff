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
        assertTrue(out.toString().contains("--accuracy-tolerance") && out.toString().contains("--latency-budget"));
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
        assertEquals(0, Tiermark.run(new String[] {"report", csv.toString(), "--out", tmp.resolve("a").toString(), "--no-plots",
                "--latency-budget", "edge=3000"}));
        String md = Files.readString(tmp.resolve("a/report.md"));
        // ResNet on edge within 1 point: distill (-0.86 points, 3.168 s) is the fastest and misses 3 s; distill+sptq loses 1.34
        assertTrue(md.contains("ResNet, whitebox latency: on edge: no strategy within the 1-point tolerance meets the 3000 ms budget;"
                + " the fastest within it is distill at 3168 ms"), md);
        assertEquals(0, Tiermark.run(new String[] {"report", csv.toString(), "--out", tmp.resolve("b").toString(), "--no-plots",
                "--latency-budget", "edge=3000", "--accuracy-tolerance", "1.5"}));
        md = Files.readString(tmp.resolve("b/report.md"));
        assertTrue(md.contains("ResNet, whitebox latency: on edge: distill+sptq, 2.099 s"), md);
    }

    @Test
    void badToleranceOrBudgetIsExitTwoNamingTheOption(@TempDir Path tmp) {
        String run = JMH.resolve("linkwait-a.json").toString();
        String[][] bad = {{"--accuracy-tolerance", "-1"}, {"--accuracy-tolerance", "abc"}, {"--accuracy-tolerance", "NaN"},
                {"--latency-budget", "edge=-5"}, {"--latency-budget", "edge=fast"}, {"--latency-budget", "edge"}};
        for (String[] b : bad) {
            err.reset();
            assertEquals(2, Tiermark.run(new String[] {"report", run, "--out", tmp.toString(), "--no-plots", b[0], b[1]}), b[0] + " " + b[1]);
            assertTrue(err.toString().contains(b[0]), err.toString());
        }
        assertTrue(Files.notExists(tmp.resolve("report.json")), "nothing is reported on bad options");
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
