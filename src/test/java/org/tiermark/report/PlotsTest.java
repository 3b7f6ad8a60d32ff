package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Box plots of latency distributions: which axis. */
class PlotsTest {
    @Test
    void medianSpreadChoosesTheAxis() {
        assertFalse(Plots.logScale(List.of(3.0, 10.0, 59.0)));
        assertTrue(Plots.logScale(List.of(3.0, 10.0, 60.0)));
        assertFalse(Plots.logScale(List.of(5.0)));
        assertFalse(Plots.logScale(List.of()));
    }

    /**
     * Reference run 20261125-204536-vm: resnet-fmnist's request medians span 2.9 ms (sptq+early-exit @ edge) to 241 ms
     * (partition @ mobile-cloud); one chart per deployment gives each its own scale, with the sample count in each label.
     */
    @Test
    void oneBoxChartPerDeployment() throws Exception {
        List<Measurement> ms = JmhReader.read(Path.of("docs/runs/20261125-204536-vm/jmh.json")).measurements();
        TradeOffGroup resnet = TradeOffGroup.of(ms).stream()
                .filter(g -> g.model().equals("resnet-fmnist") && g.benchmark().contains("DeploymentBenchmark"))
                .findFirst().orElseThrow();
        var chart = Plots.box(resnet, "mobile-cloud");
        assertTrue(chart.getTitle().startsWith("Latency on mobile-cloud: resnet-fmnist, deployment request"), chart.getTitle());
        assertEquals(resnet.operators().stream().filter(op -> resnet.cell(op, "mobile-cloud") != null).count(), chart.getSeriesMap().size());
        assertTrue(chart.getSeriesMap().keySet().stream().allMatch(k -> k.matches(".+ \\(n=\\d+\\)")), chart.getSeriesMap().keySet().toString());
        assertFalse(chart.getStyler().isYAxisLogarithmic(), "the slow link's cells alone span less than " + Plots.LOG_SPAN + "x");
    }
}
