package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The regression gate on real JMH runs of LinkWaitBenchmark (see src/test/resources/jmh/README.md):
 * two runs of the same code must pass (one of them has a disturbed iteration that moves its pooled
 * median by 12%), a 20% slowdown must fail, whether injected by scaling or really measured.
 */
class GateTest {
    static final Path JMH = Path.of("src/test/resources/jmh");
    static final long SEED = 7;

    private static List<Measurement> read(String file) {
        Readout r = JmhReader.read(JMH.resolve(file));
        assertEquals(List.of(), r.problems());
        return r.measurements();
    }

    @Test
    void sameCodeTwiceDoesNotTrip() {
        Gate.Result r = Gate.compare(read("linkwait-b.json"), read("linkwait-a.json"), "a", 0.10, 0.05, SEED);
        assertFalse(r.failed(), () -> ReportWriter.markdownTable(r.table()));
        assertEquals(2, r.rows().size());
        // the disturbed cell is over the threshold on its median, but not confidently
        Gate.Row disturbed = r.rows().stream().filter(x -> x.key().contains("waitMicros=5000")).findFirst().orElseThrow();
        assertTrue(disturbed.slowdown() > 1.10, "the A/A case this test is about: " + disturbed);
        assertEquals(Gate.Verdict.SLOWER_NOT_SIGNIFICANT, disturbed.verdict());
        // and the other way round
        assertFalse(Gate.compare(read("linkwait-a.json"), read("linkwait-b.json"), "b", 0.10, 0.05, SEED).failed());
        // a run against itself
        assertFalse(Gate.compare(read("linkwait-a.json"), read("linkwait-a.json"), "a", 0.10, 0.05, SEED).failed());
    }

    @Test
    void injectedTwentyPercentSlowdownTrips() {
        List<Measurement> slowed = read("linkwait-a.json").stream().map(m -> m.scaled(1.2)).toList();
        Gate.Result r = Gate.compare(slowed, read("linkwait-a.json"), "a", 0.10, 0.05, SEED);
        assertTrue(r.failed());
        assertEquals(2, r.regressions().size());
        r.regressions().forEach(x -> assertEquals(1.2, x.slowdown(), 1e-9));
        // the real deployment benchmark, too
        List<Measurement> dep = JmhReader.read(JMH.resolve("run-small/jmh.json")).measurements().stream()
                .filter(m -> m.shortName().startsWith("DeploymentBenchmark")).toList();
        Gate.Result d = Gate.compare(dep.stream().map(m -> m.scaled(1.2)).toList(), dep, "run-small", 0.10, 0.05, SEED);
        assertTrue(d.failed(), () -> ReportWriter.markdownTable(d.table()));
        // a faster run is an improvement, not a failure
        Gate.Result f = Gate.compare(read("linkwait-a.json").stream().map(m -> m.scaled(0.8)).toList(), read("linkwait-a.json"), "a", 0.10, 0.05, SEED);
        assertFalse(f.failed());
        assertEquals(2, f.improvements().size());
    }

    @Test
    void reallySlowedBenchmarkTrips() {
        Gate.Result r = Gate.compare(read("linkwait-slowed-1200-6000.json"), read("linkwait-a.json"), "a", 0.10, 0.05, SEED);
        assertTrue(r.failed(), () -> ReportWriter.markdownTable(r.table()));
        assertEquals(2, r.regressions().size());
    }

    @Test
    void smallSlowdownBelowThresholdPasses() {
        List<Measurement> slowed = read("linkwait-a.json").stream().map(m -> m.scaled(1.05)).toList();
        Gate.Result r = Gate.compare(slowed, read("linkwait-a.json"), "a", 0.10, 0.05, SEED);
        assertFalse(r.failed());
        // with a 3% threshold the same 5% is a regression
        assertTrue(Gate.compare(slowed, read("linkwait-a.json"), "a", 0.03, 0.05, SEED).failed());
    }

    @Test
    void mismatchedBenchmarksAreListedNotFailed() {
        List<Measurement> a = read("linkwait-a.json");
        Gate.Result r = Gate.compare(a.subList(0, 1), a, "a", 0.10, 0.05, SEED);
        assertFalse(r.failed());
        assertTrue(r.problems().get(0).contains("in the baseline but not measured now"), r.problems().toString());
    }
}
