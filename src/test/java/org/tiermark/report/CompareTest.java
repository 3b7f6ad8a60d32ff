package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tiermark.InvalidInputException;
import org.tiermark.tier.Profiles;

/** Cross-run comparison (ratios with bootstrap intervals) and composition across machines. */
class CompareTest {
    @Test
    void ratioOfMediansWithInterval() {
        List<Measurement> a = JmhReader.read(GateTest.JMH.resolve("linkwait-a.json")).measurements();
        List<Measurement> slow = a.stream().map(m -> m.scaled(1.3)).toList();
        Compare.Result r = Compare.compare(List.of("a", "a*1.3"), List.of(a, slow), 3);
        assertEquals(2, r.rows().size());
        for (Compare.Row row : r.rows()) {
            Bootstrap.Interval ci = row.ratios().get(0);
            assertEquals(1.3, ci.estimate(), 1e-9);
            assertTrue(ci.low() <= 1.3 && ci.high() >= 1.3, ci.toString());
            assertTrue(ci.low() > 1.2 && ci.high() < 1.4, ci.toString());
        }
        assertEquals(List.of(), r.problems());
    }

    @Test
    void observationBootstrapOnIndependentSamplesCoversTheTruth() {
        // the studies' cells are single-unit samples: the interval comes from the Beta order-statistic bootstrap
        Samples id = PaperData.cells().get("whitebox-latency").get("ResNet|identity|edge");
        Samples ds = PaperData.cells().get("whitebox-latency").get("ResNet|distill+sptq|edge");
        Measurement a = new Measurement("paper", "sample", "s/op", Map.of(), id, List.of(id), null, "x");
        Measurement b = new Measurement("paper", "sample", "s/op", Map.of(), ds, List.of(ds), null, "x");
        Bootstrap.Interval ci = Bootstrap.ratioOfMedians(a, b, 0.95, 2000, 1);
        assertEquals(5.642 / 2.099, ci.estimate(), 0.01);
        assertTrue(ci.low() < ci.estimate() && ci.high() > ci.estimate() && ci.high() - ci.low() < 0.5, ci.toString());
        assertEquals("observations / observations", ci.unit());
    }

    @Test
    void mismatchedParamsAreNamed() {
        List<Measurement> a = JmhReader.read(GateTest.JMH.resolve("linkwait-a.json")).measurements();
        List<Measurement> other = JmhReader.read(GateTest.JMH.resolve("linkwait-slowed-1200-6000.json")).measurements().stream()
                .map(m -> new Measurement(m.benchmark(), m.mode(), m.unit(), Map.of("waitMicros", "777"), m.samples(),
                        m.iterations(), m.secondary(), m.source())).toList();
        Compare.Result r = Compare.compare(List.of("a", "b"), List.of(a, other.subList(0, 1)), 3);
        assertEquals(3, r.rows().size());
        assertNull(r.rows().get(0).ratios().get(0));
        assertTrue(r.problems().get(0).contains("not in run(s) [2] (mismatched params or failed there)"), r.problems().toString());
        assertTrue(r.problems().get(0).contains("run 2 has LinkWaitBenchmark.linkWait [sample] waitMicros=777"), r.problems().toString());
    }

    @Test
    void composesStagesOfTwoRunsWithTheLinkModel() {
        List<Measurement> mobile = JmhReader.read(JmhReaderTest.RUN.resolve("jmh.json")).measurements();
        List<Measurement> edge = JmhReader.read(GateTest.JMH.resolve("linkwait-a.json")).measurements();
        Profiles profiles = Profiles.load(Path.of("profiles"));
        Compare.Composition c = Compare.compose("head=1:DeploymentBenchmark.request;deployment=mobile,up=mobile>edge:25000,"
                + "tail=2:LinkWaitBenchmark.linkWait;waitMicros=5000", List.of(mobile, edge), profiles, 20_000, 5);
        double head = mobile.stream().filter(m -> "mobile".equals(m.param("deployment"))).findFirst().orElseThrow().samples().median();
        double link = org.tiermark.tier.LinkDelay.transferNanos(profiles.route("mobile", "edge"), 25000, new org.tiermark.tier.LinkDelay.Jitter()) / 1e6;
        // the median of a sum is not the sum of medians, but close for these narrow distributions
        assertEquals(head + link + 5.0, c.median(), 0.1 * (head + link + 5.0));
        assertEquals(3, c.parts().size());
        assertThrows(InvalidInputException.class, () -> Compare.compose("head=1:DeploymentBenchmark.request", List.of(mobile), profiles, 10, 1));
        assertThrows(InvalidInputException.class, () -> Compare.compose("head=3:x", List.of(mobile), profiles, 10, 1));
    }
}
