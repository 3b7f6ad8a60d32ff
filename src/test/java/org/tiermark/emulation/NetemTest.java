package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * netem where the kernel has it. This machine's kernel has no netem module, so the netem path is tested up to its
 * detection and the commands it would run; a kernel with netem runs the same tests through the netem branch.
 */
class NetemTest {
    @Test
    void netemPathTestedUpToItsCommands_tbfUnderNetemWithHalfTheRoundTripEachWay() {
        Tbf tbf = Tbf.forBandwidth(200, 1500);
        List<List<String>> c = Netem.commands("ns", "dev0", tbf, 0.5);
        assertEquals(List.of("tc", "-n", "ns", "qdisc", "add", "dev", "dev0", "root", "handle", "1:", "netem", "delay", "500us",
                "limit", "1000"), c.get(0));
        assertEquals(List.of("tc", "-n", "ns", "qdisc", "add", "dev", "dev0", "parent", "1:1", "handle", "10:", "tbf", "rate",
                "200000000bit", "burst", "3028", "limit", "2500000"), c.get(1));
        // 200 Mbit/s with 100 ms each way: 2.5 MB in flight are 1,667 frames of 1500 bytes; netem's queue holds twice that
        assertEquals("3334", Netem.commands("ns", "dev0", tbf, 100).get(0).get(14));
        assertEquals(List.of("tc", "-n", "ns", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"), Netem.detectCommand("ns"));
    }

    @Test
    @EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
    void netemPathTestedUpToDetection_inTheSetsOwnNamespace_elseLinksWithARoundTripArePacketLinks() throws Exception {
        String run;
        try (NetworkEmulation e = NetworkEmulation.create(List.of(new NetworkEmulation.TierSpec("mobile", 0, 0),
                new NetworkEmulation.TierSpec("edge", 0, 0)), List.of(new NetworkEmulation.LinkSpec("mobile", "edge", 50, 2)), "reno")) {
            run = e.runId();
            NetworkEmulation.Link link = e.links().get(0);
            String qdiscs = Shell.run("tc", "-n", e.namespace("mobile"), "qdisc", "show", "dev", link.fromInterface());
            String description = e.describe().get("roundTripDelay").toString();
            if (e.netem()) {
                assertEquals(NetworkEmulation.DELAY_NETEM, link.delay());
                assertTrue(qdiscs.contains("netem") && qdiscs.contains("tbf"), qdiscs);
                assertTrue(description.startsWith("netem"), description);
            } else {
                // what this machine's kernel gives: the probe was refused, the link is a packet link, tbf its only qdisc
                assertEquals(NetworkEmulation.DELAY_PACKET, link.delay());
                assertTrue(qdiscs.contains("tbf") && !qdiscs.contains("netem"), qdiscs);
                assertTrue(description.contains("no netem") && description.contains(e.namespace("mobile")), description);
                assertTrue(Shell.tryRun(Netem.detectCommand(e.namespace("edge")).toArray(String[]::new)).exit() != 0,
                        "the kernel refuses netem in the set's namespaces too");
            }
            assertEquals(e.netem(), NetworkEmulation.netemHere(), "the run record's answer is the set's");
        }
        NetworkEmulationTest.assertNothingLeft(run);
    }
}
