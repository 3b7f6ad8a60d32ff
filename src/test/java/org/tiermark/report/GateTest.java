package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** JMH's [fork][iteration] structure is kept: the cluster bootstrap needs to know which iterations share a JVM. */
    @Test
    void readsForkBoundaries() {
        Measurement m = read("gate/aa3-a.json").get(0);
        assertEquals(List.of(3, 3, 3), m.forks());
        assertEquals(9, m.iterations().size());
        assertEquals(List.of(4), read("linkwait-a.json").get(0).forks());
        assertEquals(m.forks(), m.scaled(2).forks());
    }

    /**
     * Iterations of one fork share JIT decisions and memory layout: when whole forks are shifted, an
     * interval from resampling iterations alone is too narrow; resampling forks first widens it.
     */
    @Test
    void forkShiftsWidenTheInterval() {
        // three forks of five iterations that agree closely within a fork, but whose levels differ by 10%
        List<Samples> its = new ArrayList<>();
        double[] level = {100, 110, 105};
        for (double l : level) {
            for (int i = 0; i < 5; i++) {
                double[] v = new double[50];
                for (int k = 0; k < v.length; k++) {
                    v[k] = l + i * 0.1 + k * 0.01;
                }
                its.add(Samples.of(v));
            }
        }
        Samples all = Samples.pooled(its);
        Measurement clustered = new Measurement("b", "sample", "ms/op", Map.of(), all, its, null, "x", List.of(5, 5, 5), null);
        Measurement flat = new Measurement("b", "sample", "ms/op", Map.of(), all, its, null, "x");
        Bootstrap.Interval wide = Bootstrap.ratioOfMedians(clustered, clustered.scaled(1.0), 0.95, 2000, SEED);
        Bootstrap.Interval narrow = Bootstrap.ratioOfMedians(flat, flat.scaled(1.0), 0.95, 2000, SEED);
        assertEquals("forks>iterations / forks>iterations", wide.unit());
        assertEquals("iterations / iterations", narrow.unit());
        assertTrue(wide.high() - wide.low() > 1.5 * (narrow.high() - narrow.low()), wide + " vs " + narrow);
    }

    /**
     * Real runs of DeploymentBenchmark on minilm-spam (src/test/resources/jmh/gate/README.md): the same code
     * twice with 3 forks passes; the edge tier really slowed from relative speed 0.50 to 0.42 (a 19% longer
     * compute) fails on edge identity, with the 3-fork run as baseline.
     */
    @Test
    void threeForkRunsGateRealSlowdownsOnly() {
        Gate.Result aa = Gate.compare(read("gate/aa3-b.json"), read("gate/aa3-a.json"), "aa3-a", 0.10, 0.05, SEED);
        assertFalse(aa.failed(), () -> ReportWriter.markdownTable(aa.table()));
        assertEquals(6, aa.rows().size());
        Gate.Result slow = Gate.compare(read("gate/edge-0.42.json"), read("gate/aa3-a.json"), "aa3-a", 0.10, 0.05, SEED);
        Gate.Row edge = slow.rows().stream().filter(x -> x.key().contains("operator=identity")).findFirst().orElseThrow();
        assertEquals(Gate.Verdict.REGRESSION, edge.verdict(), () -> ReportWriter.markdownTable(slow.table()));
        assertTrue(edge.slowdown() > 1.15 && edge.slowdown() < 1.30, edge.toString());
    }

    /**
     * Paired counters: the machine's load doubles from one iteration to the next, the harness costs 2% more
     * than the raw call in every one of them. The paired ratio sees 1.02 with a tight interval; the
     * load drift that moves separate benchmarks' medians cancels.
     */
    @Test
    void pairedSumsCancelLoadDrift() {
        List<Double> raw = List.of(10.0, 20.0, 11.0, 19.0, 10.5, 21.0);
        List<Double> harness = raw.stream().map(x -> x * 1.02).toList();
        Bootstrap.Interval ci = Bootstrap.ratioOfPairedSums(harness, raw, List.of(), 0.95, 2000, SEED);
        assertEquals(1.02, ci.estimate(), 1e-12);
        assertEquals(1.02, ci.low(), 1e-9);
        assertEquals(1.02, ci.high(), 1e-9);
        Bootstrap.Interval clustered = Bootstrap.ratioOfPairedSums(harness, raw, List.of(3, 3), 0.95, 2000, SEED);
        assertEquals("forks>iterations (paired)", clustered.unit());
        // noise that is not shared widens the interval, and a mismatch is refused
        List<Double> noisy = List.of(10.4, 20.1, 11.0, 19.6, 10.6, 21.8);
        Bootstrap.Interval n = Bootstrap.ratioOfPairedSums(noisy, raw, List.of(), 0.95, 2000, SEED);
        assertTrue(n.low() < n.estimate() && n.estimate() < n.high(), n.toString());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Bootstrap.ratioOfPairedSums(noisy, raw.subList(0, 5), List.of(), 0.95, 100, SEED));
    }
}
