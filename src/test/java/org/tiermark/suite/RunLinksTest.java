package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.runtime.LinkDelayModel;

/** The run's link choice: which groups it changes, and what it refuses before anything is measured. */
class RunLinksTest {
    static final Suite SUITE = Suite.load(Path.of(System.getProperty("tiermark.home", ".")));
    static final JmhSettings ALL = JmhSettings.defaults(Matrix.Size.SMOKE);

    private static Plan plan(String deployments) {
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("model", List.of("resnet-fmnist"));
        p.put("operator", List.of("partition"));
        p.put("deployment", List.of(deployments.split(",")));
        p.put("linkDelay", List.of("simulated"));
        Map<String, List<String>> cold = new LinkedHashMap<>(p);
        cold.put("deployment", List.of("edge"));
        return new Plan(List.of(new Plan.Group("DeploymentBenchmark", List.of("request"), p),
                new Plan.Group("ColdStartBenchmark", List.of("sessionAndFirstRequest"), cold, true)), List.of());
    }

    @Test
    void onlyTheDeploymentBenchmarksSimulatedLinksAreReplaced() {
        Plan p = plan("mobile-edge");
        assertSame(p, RunLinks.apply(p, LinkDelayModel.SIMULATED));
        Plan e = RunLinks.apply(p, LinkDelayModel.EMULATED);
        assertEquals(List.of("emulated"), e.groups().get(0).params().get("linkDelay"));
        assertEquals(List.of("simulated"), e.groups().get(1).params().get("linkDelay"), "cold start keeps its links");
        assertEquals(p.groups().get(0).params().get("deployment"), e.groups().get(0).params().get("deployment"));
    }

    @Test
    void emulatedIsRefusedNamingWhatTheMachineLacks() {
        Plan e = RunLinks.apply(plan("mobile-edge"), LinkDelayModel.EMULATED);
        InvalidInputException x = assertThrows(InvalidInputException.class, () -> RunLinks.check(SUITE, e, ALL,
                LinkDelayModel.EMULATED, () -> List.of("root (this process runs as uid 1000)", "the 'tc' command (iproute2)")));
        assertTrue(x.getMessage().contains("--links emulated is not possible on this machine; missing: root (this process runs as uid 1000);"
                + " the 'tc' command (iproute2)") && x.getMessage().contains("--links simulated works"), x.getMessage());
        Map<String, Object> setup = RunLinks.check(SUITE, e, ALL, LinkDelayModel.EMULATED, List::of);
        Object pinned = setup.get("congestionControl");
        assertTrue(List.of("cubic", "reno").contains(pinned), "a machine with everything gets its set-up recorded: " + pinned);
        // the cold start stays in the fork: the run says so rather than letting it pass for a measurement over the links
        String cold = String.valueOf(((Map<?, ?>) setup.get("notOverTheseLinks")).get("ColdStartBenchmark"));
        assertTrue(cold.contains("in the JMH fork") && cold.contains("not the session creation of a tier agent"), setup.toString());
        assertTrue(RunLinks.check(SUITE, plan("mobile-edge"), ALL, LinkDelayModel.SIMULATED, () -> List.of("everything")).isEmpty(),
                "simulated needs nothing");
    }

    @Test
    void chainedStagesAreRelayedAndRunsWithoutADeploymentCellAreRefused() {
        Plan chained = RunLinks.apply(plan("mobile-edge,edge-cloud"), LinkDelayModel.EMULATED);
        Object transport = RunLinks.check(SUITE, chained, ALL, LinkDelayModel.EMULATED, List::of).get("transport");
        assertTrue(String.valueOf(transport).startsWith("rest "), "edge-cloud runs (the edge's agent relays): " + transport);
        InvalidInputException x;
        JmhSettings coldOnly = new JmhSettings(1, 1, "1s", 1, "1s", "", "ColdStartBenchmark", 5);
        x = assertThrows(InvalidInputException.class, () -> RunLinks.check(SUITE, RunLinks.apply(plan("edge"), LinkDelayModel.EMULATED),
                coldOnly, LinkDelayModel.EMULATED, List::of));
        assertTrue(x.getMessage().contains("measures no DeploymentBenchmark cell"), x.getMessage());
        x = assertThrows(InvalidInputException.class, () -> RunLinks.parse("off"));
        assertTrue(x.getMessage().contains("valid: simulated, emulated, remote"), x.getMessage());
        assertEquals(LinkDelayModel.SIMULATED, RunLinks.parse(""));
    }
}
