package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recommendations within the accuracy tolerance and latency budgets, on the reference run. */
class RecommendationsTest {
    static final Path REFERENCE = Path.of("docs/runs/20261125-224222-vm");
    static Report reference;

    @BeforeAll
    static void reportReference(@TempDir Path tmp) throws Exception {
        reference = RunReport.write(REFERENCE, tmp, ReportOptions.defaults().withPlots(false)).report();
    }

    @Test
    void noHeadlineOutsideTheTolerance() {
        List<Report.Recommendation> headlines = reference.recommendations().stream().filter(Report.Recommendation::headline).toList();
        assertTrue(headlines.size() >= 30, "a headline per model, benchmark and deployment: " + headlines.size());
        for (Report.Recommendation r : headlines) {
            assertTrue(r.withinTolerance(), r.text());
            assertTrue(r.accuracyDeltaPoints() == null || r.accuracyDeltaPoints() >= -1.0, r.text());
        }
        // the examples: sptq+early-exit loses 19.9 (bge-spam) and 79.6 (minilm-spam) points
        assertFalse(headlines.stream().anyMatch(r -> r.tradeOff().startsWith("bge-spam") && "sptq+early-exit".equals(r.operator())));
        assertFalse(headlines.stream().anyMatch(r -> r.tradeOff().startsWith("minilm-spam") && r.operator().contains("early-exit")));
    }

    @Test
    void theFastestRegardlessIsMarkedWithItsLoss() {
        Report.Recommendation f = reference.recommendations().stream()
                .filter(r -> r.tradeOff().equals("minilm-spam-deploymentbenchmark-request-simulated")
                        && r.scope().equals("fastest regardless of accuracy")).findFirst().orElseThrow();
        assertFalse(f.headline());
        assertTrue(f.accuracyDeltaPoints() < -70, f.text());
        assertTrue(f.text().contains("OUTSIDE the 1-point tolerance"), f.text());
    }

    @Test
    void statementsCarryTheirEvidence() {
        Report.Recommendation r = reference.recommendations().stream()
                .filter(x -> x.tradeOff().equals("resnet-fmnist-deploymentbenchmark-request-simulated") && x.scope().equals("deployment edge"))
                .findFirst().orElseThrow();
        assertEquals("sptq", r.operator());
        Report.Versus v = r.against().get(0);
        assertEquals("identity on edge", v.versus());
        assertTrue(v.low() <= v.speedUp() && v.speedUp() <= v.high() && v.speedUp() > 1, v.toString());
        assertTrue(v.cliffsDelta() < 0 && !v.magnitude().isEmpty(), v.toString());
        assertNotNull(r.accuracyDeltaLow());
        assertTrue(r.text().contains("faster than identity on edge") && r.text().contains("Cliff's delta") && r.text().contains("accuracy"),
                r.text());
    }

    @Test
    void splitDeploymentsAreSetAgainstEachTierTheySpan() {
        Report.Recommendation r = reference.recommendations().stream()
                .filter(x -> x.tradeOff().equals("minilm-spam-deploymentbenchmark-request-simulated") && x.scope().equals("deployment mobile-edge"))
                .findFirst().orElseThrow();
        assertEquals("partition", r.operator());
        assertEquals(List.of("identity on mobile", "identity on edge"), r.against().stream().map(Report.Versus::versus).toList());
        assertFalse(r.text().contains("not measured"), r.text());
        // partitioning beats the whole model on the phone and loses to it on the edge box
        assertTrue(r.against().get(0).low() > 1 && r.against().get(1).high() < 1, r.against().toString());
        assertTrue(reference.effects().stream().anyMatch(e -> e.operator().equals("sptq+partition") && e.deployment().equals("mobile-edge")
                && e.versus().equals("sptq on edge") && e.notTested() == null));
        Table speedUps = reference.tables().stream().filter(t -> t.id().equals("speedup-minilm-spam-deploymentbenchmark-request-simulated"))
                .findFirst().orElseThrow();
        assertTrue(speedUps.columns().contains("mobile-edge vs whole model on mobile"), speedUps.columns().toString());
    }

    @Test
    void withoutAccuracyOnLatencyOnlyAndSaidAtTheTop(@TempDir Path tmp) throws Exception {
        Report r = RunReport.write(REFERENCE.resolve("jmh.json"), tmp, ReportOptions.defaults().withPlots(false)).report();
        assertTrue(r.notes().get(0).startsWith("No accuracy file: recommendations are on latency only"), r.notes().toString());
        assertTrue(r.recommendations().stream().anyMatch(x -> x.headline() && x.accuracyDeltaPoints() == null));
        assertTrue(ReportWriter.markdown(r).indexOf("No accuracy file") < ReportWriter.markdown(r).indexOf("## Recommendations"));
    }

    @Test
    void budgetsAndToleranceAreValidated() {
        assertEquals(Map.of("edge", 20.0, "mobile-edge", 40.5), ReportOptions.parseLatencyBudgets("edge=20, mobile-edge=40.5"));
        for (String bad : List.of("edge=-1", "edge=0", "edge=x", "=5", "edge", "Edge=5", "edge=NaN")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportOptions.parseLatencyBudgets(bad), bad);
            assertTrue(e.getMessage().startsWith("--latency-budget"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ReportOptions.defaults().withBudgets(-0.5, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> ReportOptions.defaults().withBudgets(Double.NaN, Map.of()));
    }
}
