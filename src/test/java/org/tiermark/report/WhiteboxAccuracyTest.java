package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tiermark.accuracy.AccuracyReport;

/** The white-box accuracy targets and the comparison with the fine-tuned text reference, from accuracy.json entries. */
class WhiteboxAccuracyTest {
    private static AccuracyReport.Entry entry(String model, String op, double value, double low, double high, List<Number> perSample) {
        return new AccuracyReport.Entry(model, op, "top1", value, new double[] {low, high}, null, null, perSample.size(), 1,
                perSample, "edge", Map.of());
    }

    private static List<Number> correct(int n, int wrongFrom) {
        List<Number> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i < wrongFrom ? 1 : 0);
        }
        return out;
    }

    private static Accuracy of(AccuracyReport.Entry... entries) {
        return Accuracy.of(new AccuracyReport.Read(new AccuracyReport(AccuracyReport.SCHEMA, "now", "large", List.of(entries), List.of()),
                List.of()));
    }

    @Test
    void dsptqDropAndQatAgainstSptqAreCheckedWithTheirIntervals() {
        Accuracy acc = of(entry("cnn", "identity", 0.92, 0.90, 0.94, correct(100, 92)),
                entry("cnn", "distill+sptq", 0.89, 0.87, 0.91, correct(100, 89)),
                entry("cnn", "sptq", 0.915, 0.90, 0.93, correct(100, 91)),
                entry("cnn", "qat", 0.918, 0.90, 0.935, correct(100, 92)));
        List<Report.Check> checks = AccuracyTables.whiteboxChecks(acc);
        Report.Check dsptq = checks.stream().filter(c -> c.target().equals("dsptq-accuracy.cnn")).findFirst().orElseThrow();
        assertEquals(3.0, dsptq.value(), 1e-9);
        assertFalse(dsptq.pass(), "3 points lost is over the 2-point target");
        Report.Check qat = checks.stream().filter(c -> c.target().equals("qat-vs-sptq-accuracy.cnn")).findFirst().orElseThrow();
        assertTrue(qat.pass());
        assertTrue(qat.detail().contains("overlap"), qat.detail());

        Accuracy close = of(entry("cnn", "identity", 0.92, 0.90, 0.94, correct(100, 92)),
                entry("cnn", "distill+sptq", 0.91, 0.89, 0.93, correct(100, 91)));
        assertTrue(AccuracyTables.whiteboxChecks(close).get(0).pass());
        assertEquals(List.of(), AccuracyTables.whiteboxChecks(of(entry("cnn", "identity", 0.9, 0.8, 0.95, correct(10, 9)))));
    }

    @Test
    void distillQatIsComparedWithDistillSptqWithBothIntervalsAndNoThreshold() {
        Accuracy apart = of(entry("text", "identity", 0.957, 0.940, 0.972, correct(100, 95)),
                entry("text", "distill+sptq", 0.857, 0.825, 0.887, correct(100, 85)),
                entry("text", "distill+qat", 0.940, 0.920, 0.958, correct(100, 94)));
        Report.Check c = AccuracyTables.whiteboxChecks(apart).stream()
                .filter(x -> x.target().equals("distill-qat-vs-distill-sptq-accuracy.text")).findFirst().orElseThrow();
        assertEquals(8.3, c.value(), 1e-9);
        assertEquals(null, c.pass(), "no threshold: a comparison, not a target");
        assertTrue(c.detail().contains("0.9400 [0.9200, 0.9580]") && c.detail().contains("0.8570 [0.8250, 0.8870]")
                && c.detail().contains("do not overlap"), c.detail());
        assertTrue(c.subject().contains("do not overlap"), c.subject());

        Accuracy close = of(entry("cnn", "distill+sptq", 0.920, 0.904, 0.937, correct(100, 92)),
                entry("cnn", "distill+qat", 0.918, 0.901, 0.935, correct(100, 91)));
        Report.Check near = AccuracyTables.whiteboxChecks(close).get(0);
        assertEquals(-0.2, near.value(), 1e-9);
        assertTrue(near.detail().contains("intervals overlap"), near.detail());
        assertEquals(List.of(), AccuracyTables.whiteboxChecks(of(entry("cnn", "distill+qat", 0.9, 0.8, 0.95, correct(10, 9)))),
                "nothing to compare without distill+sptq");
    }

    @Test
    void whiteBoxOperatorsAreComparedWithFinetuneWhereItExists() {
        Accuracy acc = of(entry("text", "identity", 0.90, 0.88, 0.92, correct(100, 90)),
                entry("text", "finetune", 0.96, 0.94, 0.98, correct(100, 96)),
                entry("text", "distill", 0.94, 0.92, 0.96, correct(100, 94)));
        Table t = AccuracyTables.of(acc, Accuracy.publishedByModel(), List.of()).get(0);
        int col = t.columns().indexOf("delta vs finetune");
        assertTrue(col > 0, t.columns().toString());
        List<Object> distill = t.rows().stream().filter(r -> "distill".equals(r.get(1))).findFirst().orElseThrow();
        assertEquals(-0.02, ((Number) distill.get(col)).doubleValue(), 1e-9);
        List<Report.AccuracyTest> tests = AccuracyTables.tests(acc, 0.05);
        assertTrue(tests.stream().anyMatch(x -> x.operator().equals("distill vs finetune") && x.identity() == 0.96), tests.toString());
        assertTrue(tests.stream().anyMatch(x -> x.operator().equals("distill") && x.identity() == 0.90), tests.toString());
    }
}
