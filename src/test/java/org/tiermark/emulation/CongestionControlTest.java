package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tiermark.InvalidInputException;

/** The congestion control pinned in emulated namespaces: checked against what the kernel has and lets a namespace pin. */
class CongestionControlTest {
    @AfterEach
    void clear() {
        System.clearProperty(EmulatedTiers.CONGESTION_CONTROL_PROPERTY);
    }

    @Test
    void anUnknownOneIsRefusedNamingTheValidOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> EmulatedTiers.checkCongestionControl("pigeon", List.of("reno", "bbr", "cubic"), List.of("reno", "bbr")));
        assertTrue(e.getMessage().contains("tiermark.emulation.congestionControl='pigeon'")
                && e.getMessage().contains("tcp_available_congestion_control") && e.getMessage().contains("reno, bbr, cubic"), e.getMessage());
    }

    @Test
    void oneTheKernelHasButANamespaceMayNotPinIsRefusedWithTheSysctlThatAllowsIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> EmulatedTiers.checkCongestionControl("cubic", List.of("reno", "bbr", "cubic"), List.of("reno", "bbr")));
        assertTrue(e.getMessage().contains("tcp_allowed_congestion_control: reno, bbr")
                && e.getMessage().contains("sysctl -w net.ipv4.tcp_allowed_congestion_control='reno bbr cubic'"), e.getMessage());
        EmulatedTiers.checkCongestionControl("bbr", List.of("reno", "bbr", "cubic"), List.of("reno", "bbr"));
    }

    @Test
    void thePropertyIsCheckedAgainstThisKernel() {
        if (!Files.isReadable(EmulatedTiers.AVAILABLE_CONGESTION_CONTROL)) {
            return; // not Linux: emulation is refused before this is asked
        }
        System.setProperty(EmulatedTiers.CONGESTION_CONTROL_PROPERTY, "pigeon");
        InvalidInputException e = assertThrows(InvalidInputException.class, EmulatedTiers::congestionControlHere);
        assertTrue(e.getMessage().contains("reno"), e.getMessage());
        // reno is always there and always allowed
        System.setProperty(EmulatedTiers.CONGESTION_CONTROL_PROPERTY, " reno ");
        assertEquals("reno", EmulatedTiers.congestionControlHere());
    }
}
