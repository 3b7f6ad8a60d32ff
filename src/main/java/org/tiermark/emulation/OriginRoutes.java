package org.tiermark.emulation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How the requester (this process, in the host's namespace) reaches an emulation's tiers: its veth to the
 * origin tier's namespace, IP forwarding in every namespace, and routes along the links (breadth first),
 * so packets between tiers without a link of their own are routed through the tiers between them.
 */
final class OriginRoutes {
    /** How long a requester waits for another run's requester to give the machine's one requester address back. */
    static final Duration REQUESTER_WAIT = Duration.ofSeconds(120);

    private OriginRoutes() {}

    /**
     * The requester's way in: a veth pair from the host's namespace ({@code tm<runId>o}) to {@code origin}'s, on
     * the last /30 of the range, unshaped (it stands for the device's own stack); IP forwarding in every
     * namespace and routes along the links, so the host reaches every tier through the origin and every tier
     * answers back the same way. The host's end and its routes go when the origin's namespace is removed.
     */
    static void build(String runId, String origin, List<String> tiers, List<NetworkEmulation.Link> links,
                      Function<String, String> namespace) {
        String host = NetworkEmulation.hostInterface(runId);
        // the host's routes to the range are one per machine: a second requester would take over the first's. Another
        // run's trial holds it for seconds at a time (its set is removed after each trial): wait for it, up to a bound
        long deadline = System.nanoTime() + REQUESTER_WAIT.toNanos();
        String taken;
        while (!(taken = Shell.tryRun("ip", "-o", "addr", "show", "to", NetworkEmulation.ORIGIN_HOST + "/32").out().strip()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new EmulationUnavailableException("another emulated run's requester holds " + NetworkEmulation.ORIGIN_HOST
                        + " on this machine (" + taken.split("\\s+")[1] + ") and did not let go within " + REQUESTER_WAIT.toSeconds()
                        + " s: emulated runs with a requester go one at a time");
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmulationUnavailableException("interrupted while waiting for another emulated run's requester to let go of "
                        + NetworkEmulation.ORIGIN_HOST);
            }
        }
        String peer = "tm" + runId + "p";
        String ns = namespace.apply(origin);
        Shell.run("ip", "link", "add", host, "mtu", Integer.toString(NetworkEmulation.MTU), "type", "veth", "peer", "name", peer, "netns", ns,
                "mtu", Integer.toString(NetworkEmulation.MTU));
        Shell.run("ip", "addr", "add", NetworkEmulation.ORIGIN_HOST + "/30", "dev", host);
        Shell.run("ip", "-n", ns, "addr", "add", NetworkEmulation.ORIGIN_PEER + "/30", "dev", peer);
        Shell.run("ip", "link", "set", host, "up");
        Shell.run("ip", "-n", ns, "link", "set", peer, "up");
        for (String t : tiers) {
            Shell.run("ip", "netns", "exec", namespace.apply(t), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        }
        for (int i = 0; i < links.size(); i++) {
            Shell.run("ip", "route", "add", NetworkEmulation.address(i, 0) + "/30", "via", NetworkEmulation.ORIGIN_PEER, "dev", host);
        }
        for (String t : tiers) {
            for (int i = 0; i < links.size(); i++) {
                NetworkEmulation.Link l = links.get(i);
                if (l.spec().from().equals(t) || l.spec().to().equals(t)) {
                    continue;
                }
                NetworkEmulation.Link first = path(links, t, l.spec().from()).get(0);
                Shell.run("ip", "-n", namespace.apply(t), "route", "add", NetworkEmulation.address(i, 0) + "/30", "via", peerAddress(first, t));
            }
            if (!t.equals(origin)) {
                NetworkEmulation.Link first = path(links, t, origin).get(0);
                Shell.run("ip", "-n", namespace.apply(t), "route", "add", NetworkEmulation.ORIGIN_NET + "/30", "via", peerAddress(first, t));
            }
        }
    }

    /** The address of the far end of {@code link} seen from {@code tier}. */
    private static String peerAddress(NetworkEmulation.Link link, String tier) {
        return link.spec().from().equals(tier) ? link.toAddress() : link.fromAddress();
    }

    /** The links from {@code from} to {@code to}, fewest first (breadth first); empty when they are the same tier. */
    static List<NetworkEmulation.Link> path(List<NetworkEmulation.Link> links, String from, String to) {
        if (from.equals(to)) {
            return List.of();
        }
        Map<String, NetworkEmulation.Link> via = new LinkedHashMap<>();
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(from));
        via.put(from, null);
        while (!queue.isEmpty()) {
            String at = queue.poll();
            for (NetworkEmulation.Link l : links) {
                String other = l.spec().from().equals(at) ? l.spec().to() : l.spec().to().equals(at) ? l.spec().from() : null;
                if (other != null && !via.containsKey(other)) {
                    via.put(other, l);
                    queue.add(other);
                }
            }
        }
        if (!via.containsKey(to)) {
            throw new IllegalArgumentException("no links join tiers '" + from + "' and '" + to + "'");
        }
        List<NetworkEmulation.Link> out = new ArrayList<>();
        for (String at = to; !at.equals(from); ) {
            NetworkEmulation.Link l = via.get(at);
            out.add(0, l);
            at = l.spec().from().equals(at) ? l.spec().to() : l.spec().from();
        }
        return out;
    }
}
