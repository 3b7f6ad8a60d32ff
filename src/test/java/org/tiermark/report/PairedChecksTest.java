package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tiermark.Targets;

/**
 * The targets are checked on the paired benchmarks when they ran: real runs kept in docs/runs (README,
 * "Measured here"), where the ratios of medians of the separate benchmarks wandered with the load.
 */
class PairedChecksTest {
    static final long SEED = 7;

    private static List<Report.Check> checks(String run) {
        List<Measurement> ms = JmhReader.read(Path.of("docs/runs", run, "jmh.json")).measurements();
        return TargetChecks.check(Targets.load(Path.of(".")), ms, SEED).checks();
    }

    @Test
    void harnessOverheadIsCheckedOnThePairedRatio() {
        List<Report.Check> h = checks("20261125-202641-vm").stream().filter(c -> c.target().equals("harness-overhead")).toList();
        assertEquals(6, h.size());
        for (Report.Check c : h) {
            assertTrue(c.detail().contains("paired"), c.toString());
            assertTrue(c.value() > 0.98 && c.value() < 1.03 && c.pass(), c.toString());
            assertTrue(c.low() <= c.value() && c.value() <= c.high(), c.toString());
        }
        // the same run's ratio of medians for resnext-fmnist was 1.36: the check must not be on it
        Report.Check resnext = h.stream().filter(c -> c.subject().equals("model=resnext-fmnist")).findFirst().orElseThrow();
        assertEquals(1.019, resnext.value(), 0.001);
    }

    @Test
    void sptqTargetsAreCheckedOnThePairedRatios() {
        List<Report.Check> all = checks("20261125-203248-vm");
        List<Report.Check> sptq = all.stream().filter(c -> c.target().startsWith("sptq-")).toList();
        assertEquals(3, sptq.size(), all.toString());
        sptq.forEach(c -> assertTrue(c.pass(), c.toString()));
        // the run names the operator param "variant" (before its rename): the alias still finds the cells
        Report.Check resnet = sptq.stream().filter(c -> c.subject().contains("resnet18-synthetic")).findFirst().orElseThrow();
        assertEquals("sptq-vs-identity.resnet18", resnet.target());
        assertTrue(resnet.subject().contains("variant=sptq"), resnet.subject());
        assertEquals(0.322, resnet.value(), 0.002);
        // every check is on a paired benchmark: the ratio of medians of separate benchmarks is never judged
        all.forEach(c -> assertTrue(c.detail().contains("both in every invocation") || c.target().equals("link-wait"), c.toString()));
    }
}
