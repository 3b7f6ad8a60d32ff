package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every cell says how many samples it has; no test is run on a cell with fewer than the minimum. */
class SamplesPerCellTest {
    private static List<TradeOffGroup> reference() {
        return TradeOffGroup.of(JmhReader.read(Path.of("docs/runs/20261125-224222-vm/jmh.json")).measurements());
    }

    @Test
    void tooFewSamplesAreNotTestedAndSaySo() {
        TradeOffGroup g = reference().stream().filter(x -> x.id().equals("ppocr-det-deploymentbenchmark-request-simulated"))
                .findFirst().orElseThrow();
        assertTrue(g.cell("partition", "edge-cloud").samples().size() < Stats.MIN_SAMPLES_FOR_TEST);
        List<Report.KruskalResult> kw = new ArrayList<>();
        List<Report.PairwiseResult> con = new ArrayList<>();
        List<Report.EffectResult> effects = new ArrayList<>();
        TradeOffStatistics.of(g, 0.05, kw, con, effects);
        Report.KruskalResult ec = kw.stream().filter(k -> k.fixed().equals("deployment=edge-cloud")).findFirst().orElseThrow();
        assertTrue(Double.isNaN(ec.p()) && !ec.significant(), ec.toString());
        assertTrue(ec.notTested().startsWith("not tested: ") && ec.notTested().contains("fewer than 30"), ec.notTested());
        assertFalse(con.stream().anyMatch(c -> c.fixed().equals("deployment=edge-cloud")), "no Conover on an untested row");
        Report.EffectResult e = effects.stream().filter(x -> x.deployment().equals("edge-cloud") && x.operator().equals("partition")
                && x.versus().equals("identity on edge")).findFirst().orElseThrow();
        assertTrue(Double.isNaN(e.p()) && Double.isNaN(e.cliffsDelta()) && e.notTested() != null, e.toString());
        // a cell with enough samples on both sides is tested
        Report.EffectResult tested = effects.stream().filter(x -> x.deployment().equals("edge") && x.operator().equals("sptq"))
                .findFirst().orElseThrow();
        assertNull(tested.notTested(), tested.toString());
        assertTrue(tested.p() >= 0 && tested.p() <= 1);
        // the table shows the reason in the p column and the samples of each level
        Table t = TradeOffStatistics.kruskalTable(kw);
        List<Object> row = t.rows().stream().filter(r -> r.get(1).equals("deployment=edge-cloud")).findFirst().orElseThrow();
        assertEquals(ec.notTested(), row.get(t.columns().indexOf("p")));
        assertTrue(row.get(t.columns().indexOf("samples")).toString().matches("\\d+( \\d+)+"), row.toString());
    }

    @Test
    void tradeOffCellsShowTheirSampleCount() {
        TradeOffGroup g = reference().get(0);
        Table t = TradeOffTables.of(g, Accuracy.none(), Accuracy.publishedByModel()).get(0);
        String cell = Format.human(t.rows().get(0).get(1));
        assertTrue(cell.matches(".*\\] n=" + g.cell(g.operators().get(0), g.deployments().get(0)).samples().size()), cell);
    }
}
