package org.tiermark.emulation;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's own delay, {@code netem}, where the kernel has it: a link with a round trip is then a veth pair with
 * {@code netem} as the root qdisc of each end (half the round trip each way) and the link's {@link Tbf} as its child,
 * instead of a packet link ({@link PacketDelayLine}). Whether it exists is found by trying it in a namespace the
 * emulation created (this machine's kernel has no netem module, so here every such link is a packet link).
 */
final class Netem {
    private Netem() {}

    /**
     * Whether {@code tc qdisc add ... netem} works in namespace {@code ns}: tried on its loopback, and removed again when
     * it did.
     */
    static boolean available(String ns) {
        Shell.Result r = Shell.tryRun(detectCommand(ns).toArray(String[]::new));
        if (r.exit() != 0) {
            return false;
        }
        Shell.tryRun("tc", "-n", ns, "qdisc", "del", "dev", "lo", "root");
        return true;
    }

    /** The command {@link #available} tries. */
    static List<String> detectCommand(String ns) {
        return List.of("tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms");
    }

    /**
     * The commands that shape {@code dev} in {@code ns}: netem delaying every packet by {@code oneWayMs} as the root
     * (handle 1:), tbf as its child (parent 1:1), so a packet waits its delay and then its turn on the link. netem's
     * queue ({@code limit}, in packets) holds the link's bandwidth-delay product twice over, at least netem's default
     * of 1000, so it never drops what tbf would pass.
     */
    static List<List<String>> commands(String ns, String dev, Tbf tbf, double oneWayMs) {
        long delayMicros = Math.round(oneWayMs * 1000);
        long inFlightPackets = (long) Math.ceil(tbf.rateBitsPerSecond() / 8.0 * oneWayMs / 1000 / tbf.mtu());
        long limit = Math.max(1000, 2 * inFlightPackets);
        List<List<String>> out = new ArrayList<>();
        out.add(List.of("tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "handle", "1:", "netem", "delay", delayMicros + "us",
                "limit", Long.toString(limit)));
        List<String> child = new ArrayList<>(List.of("tc", "-n", ns, "qdisc", "add", "dev", dev, "parent", "1:1", "handle", "10:"));
        child.addAll(List.of(tbf.tcArguments()));
        out.add(child);
        return out;
    }
}
