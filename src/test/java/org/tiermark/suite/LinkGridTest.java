package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tiermark.InvalidInputException;
import org.tiermark.tier.Profiles;

/** The links matrix: the validation grid, its restriction by --params, and its refusal where links cannot be emulated. */
class LinkGridTest {
    private static final Profiles PROFILES = Profiles.load(Path.of("profiles"));

    @Test
    void theDefaultGridIsOneGroupOfTheLinkTransferBenchmark() {
        Plan plan = LinkGrid.plan("", PROFILES);
        assertEquals(1, plan.groups().size());
        Plan.Group g = plan.groups().get(0);
        assertEquals("LinkTransferBenchmark", g.benchmark());
        assertEquals(List.of("transfer"), g.methods());
        assertEquals(List.of("1", "10", "50", "100", "150", "200"), g.params().get("bandwidthMbps"));
        assertEquals(6 * 3 * 2, g.expectedResults());
    }

    @Test
    void paramsRestrictTheGrid() {
        Plan.Group g = LinkGrid.plan("bandwidthMbps=10, 100;payloadBytes=100000;connection=kept", PROFILES).groups().get(0);
        assertEquals(List.of("10", "100"), g.params().get("bandwidthMbps"));
        assertEquals(List.of("100000"), g.params().get("payloadBytes"));
        assertEquals(List.of("kept"), g.params().get("connection"));
        assertEquals(List.of("mobile-edge"), g.params().get("link"));
    }

    @Test
    void badParamsAreRefusedNamingWhatIsValid() {
        assertMessage("model=x", "KEY one of link, bandwidthMbps, payloadBytes, connection");
        assertMessage("bandwidthMbps=0", "bandwidthMbps=0 in the links matrix: give a positive number of Mbit/s");
        assertMessage("payloadBytes=1.5", "whole number of bytes");
        assertMessage("connection=pooled", "valid: kept, new");
        assertMessage("link=wlan", "unknown link 'wlan'");
    }

    @Test
    void aMachineThatCannotEmulateIsRefusedNamingWhatIsMissing() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> LinkGrid.requireEmulation(() -> List.of("root (running as uid 1000)", "the tc command")));
        assertTrue(e.getMessage().startsWith("--matrix links (the link-delay model against emulated links) is not possible on this machine;"
                + " missing: root (running as uid 1000); the tc command."), e.getMessage());
        LinkGrid.requireEmulation(List::of);
    }

    private static void assertMessage(String filter, String expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LinkGrid.plan(filter, PROFILES));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
