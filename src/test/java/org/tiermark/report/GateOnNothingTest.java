package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate never passes on nothing, in the gate itself and where the suite calls it (after JMH). */
class GateOnNothingTest {
    static final Path JMH = GateTest.JMH;

    private static List<Measurement> read(String file) {
        return JmhReader.read(JMH.resolve(file)).measurements();
    }

    @Test
    void nothingInTheBaselineFails() {
        Gate.Result r = Gate.compare(read("linkwait-a.json"), List.of(), "empty", 0.10, 0.05, 7);
        assertEquals(Gate.Outcome.BASELINE_EMPTY, r.outcome());
        assertTrue(r.failed());
        assertTrue(r.table().title().contains("FAILED: the baseline empty holds no measurement"), r.table().title());
    }

    @Test
    void noCommonBenchmarkFails() {
        Gate.Result r = Gate.compare(read("linkwait-a.json"), read("gate/aa3-a.json"), "aa3-a", 0.10, 0.05, 7);
        assertEquals(Gate.Outcome.NOTHING_COMPARED, r.outcome());
        assertEquals(0, r.rows().size());
        assertEquals(2, r.uncovered().size());
        assertTrue(r.reason().contains("none of the 2 benchmarks"), r.reason());
    }

    @Test
    void nothingMeasuredNowFails() {
        Gate.Result r = Gate.compare(List.of(), read("linkwait-a.json"), "a", 0.10, 0.05, 7);
        assertEquals(Gate.Outcome.NOTHING_COMPARED, r.outcome());
        assertTrue(r.reason().contains("the current run holds no measurement"), r.reason());
    }

    @Test
    void aPartialBaselinePassesUnlessAllAreRequired() {
        List<Measurement> a = read("linkwait-a.json");
        Gate.Result partial = Gate.compare(a, a.subList(0, 1), "half", 0.10, 0.05, 7);
        assertEquals(Gate.Outcome.PASSED, partial.outcome());
        assertEquals(List.of(a.get(1).key()), partial.uncovered());
        assertTrue(partial.problems().get(0).contains("1 of 2 benchmarks have no baseline"), partial.problems().toString());
        assertTrue(partial.table().rows().stream().anyMatch(row -> "no baseline".equals(row.get(row.size() - 1))));
        Gate.Result strict = Gate.compare(a, a.subList(0, 1), "half", 0.10, 0.05, 7, true);
        assertEquals(Gate.Outcome.UNCOVERED, strict.outcome());
        assertTrue(strict.failed());
    }

    @Test
    void theSuitesGateFailsOnAnEmptyOrForeignBaselineAndStillWritesTheReport(@TempDir Path results) throws Exception {
        Path run = Files.createDirectories(results.resolve("20261125-170000-host"));
        Files.copy(JMH.resolve("linkwait-a.json"), run.resolve("jmh.json"));
        Path empty = Files.createDirectories(results.resolve("empty"));
        RunReport.Result r = RunReport.forSuite(run, empty.toString(), false);
        assertTrue(r.gateFailed());
        assertTrue(Files.readString(run.resolve("report.md")).contains("**Regression gate: FAILED: the baseline"));
        Path pkg = Files.writeString(results.resolve("package.json"), "{\"name\": \"x\"}");
        assertTrue(RunReport.forSuite(run, pkg.toString(), false).gateFailed());
        // the same run against itself still passes
        assertFalse(RunReport.forSuite(run, run.toString(), false).gateFailed());
    }
}
