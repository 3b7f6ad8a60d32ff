package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.tiermark.tier.LinkCalibration;

/**
 * The packet delay line between two namespaces (Linux, root, /dev/net/tun): unlike the stream relay, a new
 * connection's handshake and slow start pay the round trip; nothing of it is left afterwards.
 */
@EnabledIf("supported")
class PacketDelayLineTest {
    static boolean supported() {
        return NetworkEmulationTest.supported() && Files.exists(Path.of("/dev/net/tun"));
    }

    @Test
    void theHandshakeAndSlowStartPayTheRoundTrip() throws Exception {
        // 50 Mbit/s, 20 ms: bounds from the round trips alone, which load can only lengthen
        LinkValidation.Result r = LinkValidation.run(List.of(50.0), 20, List.of(1L, 100_000L), 3, true,
                NetworkEmulationTest.congestionControl(), LinkCalibration.DEFAULT, true);
        System.out.print(LinkValidation.table(r.cells()));
        assertEquals("packet delay line (TUN devices), per IP packet", r.emulation().get("linkDelay"));
        LinkValidation.Cell oneByte = r.cells().get(0);
        LinkValidation.Cell window = r.cells().get(1);
        // the handshake's round trip, then the message's and its answer's: 40 ms (a stream relay: 20 ms)
        assertTrue(oneByte.transferNanos().stream().allMatch(n -> n >= 40_000_000L), "one byte, new connection: " + oneByte);
        assertTrue(oneByte.medianNanos() < 100_000_000L, "one byte, new connection: " + oneByte);
        // 100 KB are 70 segments: windows of 10 and 20 each wait ~18 ms for their ACKs (~90 ms in all; without
        // delayed ACKs, as through a stream relay, ~57 ms)
        assertTrue(window.transferNanos().stream().allMatch(n -> n >= 70_000_000L), "100 KB, new connection: " + window);
        String run = r.emulation().get("runId").toString();
        assertTrue(NetworkEmulation.namespaces().stream().noneMatch(n -> n.contains(run)), "namespaces left");
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains("tm" + run + "t")),
                "a packet delay line of run " + run + " still runs");
    }
}
