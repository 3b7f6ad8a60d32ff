package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** Shaped links against their predictions (Linux, root): tbf holds the bandwidth within 5% for 1 MB, headers counted. */
@EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
class LinkValidationTest {
    @Test
    void tbfHoldsTheBandwidthForOneMegabyteAndTheModelMissesOnlyTheHeaders() throws Exception {
        // 10 and 50 Mbit/s: 1 MB takes 0.17-0.84 s, long enough that a busy CPU's scheduling delays (milliseconds)
        // stay far below 5%; the 200 Mbit/s cells (40 ms) belong to LinkTransferBenchmark, not to a unit test
        LinkValidation.Result r = LinkValidation.run(List.of(10.0, 50.0), List.of(1_000_000L), 3, false,
                NetworkEmulationTest.congestionControl());
        System.out.print(LinkValidation.table(r.cells()));
        assertEquals(2, r.cells().size());
        for (LinkValidation.Cell c : r.cells()) {
            assertEquals(3, c.transferNanos().size());
            assertTrue(Math.abs(c.tbfErrorPct()) < 5, "tbf's charge vs measured: " + c);
            // the payload-only model leaves out ~4.6% of headers: it predicts short, by less than 10%
            assertTrue(c.payloadOnlyErrorPct() > 0 && c.payloadOnlyErrorPct() < 10, "link-delay model vs measured: " + c);
            // calibrated: headers counted, within the target of 5%
            assertTrue(Math.abs(c.calibratedErrorPct()) < 5, "calibrated link-delay model vs measured: " + c);
        }
        assertTrue(NetworkEmulation.namespaces().stream().noneMatch(n -> n.contains(r.emulation().get("runId").toString())));
    }
}
