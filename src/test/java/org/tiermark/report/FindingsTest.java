package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The studies' findings come out "agree" on the studies' own data, and the table is made for a tiermark run. */
class FindingsTest {
    private static List<TradeOffGroup> studies(String... files) {
        List<Measurement> ms = new ArrayList<>();
        for (String f : files) {
            ms.addAll(SamplesCsvReader.read(PaperData.DIR.resolve(f + ".csv")).measurements());
        }
        return TradeOffGroup.of(ms);
    }

    @Test
    void theStudiesOwnFindingsAgreeOnTheirOwnData() {
        List<Findings.Finding> both = Findings.of(studies("blackbox-latency", "whitebox-latency"), null, Accuracy.none(), Accuracy.publishedByModel());
        assertEquals(5, both.size());
        both.forEach(f -> assertEquals("agree", f.verdict(), f.toString()));
        // each study alone: its own findings agree, the other study's are not measured
        for (String f : List.of("blackbox-latency", "whitebox-latency")) {
            for (Findings.Finding x : Findings.of(studies(f), null, Accuracy.none(), Accuracy.publishedByModel())) {
                assertTrue(Set.of("agree", "not measured").contains(x.verdict()), f + ": " + x);
            }
        }
        Findings.Finding qee = Findings.of(studies("blackbox-latency"), null, Accuracy.none(), Accuracy.publishedByModel()).get(1);
        assertTrue(qee.thisRun().contains("ResNet: sptq+early-exit on edge 2887 ms (fastest), 7.17 points lost"), qee.thisRun());
    }

    @Test
    void aRuleThatFailsDisagrees() {
        // slow DSPTQ down tenfold: it is no longer the fastest on edge anywhere
        List<Measurement> ms = new ArrayList<>();
        for (Measurement m : SamplesCsvReader.read(PaperData.DIR.resolve("whitebox-latency.csv")).measurements()) {
            ms.add("distill+sptq".equals(m.param(DeploymentParams.OPERATOR)) ? m.scaled(10) : m);
        }
        Findings.Finding dsptq = Findings.of(TradeOffGroup.of(ms), null, Accuracy.none(), Accuracy.publishedByModel()).get(0);
        assertEquals("disagree", dsptq.verdict(), dsptq.toString());
    }

    @Test
    void madeForATiermarkRun() {
        List<TradeOffGroup> groups = TradeOffGroup.of(JmhReader.read(Path.of("docs/runs/20261125-224222-vm/jmh.json")).measurements());
        Accuracy acc = Accuracy.read(Path.of("docs/runs/20261125-224222-vm/accuracy.json"));
        List<Findings.Finding> fs = Findings.of(groups, null, acc, Accuracy.publishedByModel());
        assertEquals(5, fs.size());
        assertEquals("not measured", fs.get(0).verdict(), "no distill in the reference run");
        assertNotEquals("not measured", fs.get(4).verdict());
        assertTrue(fs.get(4).thisRun().contains("minilm-spam: text model, fastest on cloud"), fs.get(4).thisRun());
        assertEquals("text", Findings.kind("Bert"));
        assertEquals("image", Findings.kind("resnet-fmnist"));
    }
}
