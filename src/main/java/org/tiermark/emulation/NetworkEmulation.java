package org.tiermark.emulation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Real tiers on one Linux machine (root): one network namespace per tier, per link a veth pair (no round trip, or one
 * the kernel's netem delays) or a packet link (a round trip without netem: two TUN devices joined by a
 * {@link PacketDelayLine}), with addresses from the
 * benchmarking range 198.18.0.0/15 and no route out, {@code tbf} on both ends at the link's bandwidth, one pinned TCP
 * congestion control per namespace, and a cgroup per tier with its CPU quota and memory limit; processes are started
 * inside a tier's namespace and cgroup.
 *
 * <p>Everything is named with {@value #TAG}-{@code <runId>}. {@link #close()} removes all of it (processes,
 * cgroups, namespaces and with them their interfaces and qdiscs); so does a shutdown hook, and a
 * failure while creating. A run killed before it could clean up leaves its set behind, with an owner
 * file naming its (dead) process: {@link #removeStale()} ({@link EmulationSets}), called by {@link #create},
 * removes such sets, and only sets with this tag whose owner is gone.
 *
 * <p>Over 400 lines: creating one set, its processes, addresses and teardown share its state; the stale-set
 * sweep ({@link EmulationSets}), cgroups ({@link Cgroups}), the requester's routes ({@link OriginRoutes})
 * and netem's detection and commands ({@link Netem}) are apart.
 */
public final class NetworkEmulation implements AutoCloseable {
    public static final String TAG = "tiermark";
    /** Where owner files live: {@code <runId>.owner} holds the owner's pid and start time. */
    static final Path OWNERS = Path.of("/run/tiermark");
    static final Pattern NAME = Pattern.compile(TAG + "-([a-z0-9]{6})-([a-z0-9][a-z0-9-]*)");
    private static final Path NETNS = Path.of("/run/netns");
    static final int MTU = 1500;
    /** The requester's link (host namespace to the origin tier's): the last /30 of 198.18.0.0/15. */
    static final String ORIGIN_NET = "198.19.255.252";
    static final String ORIGIN_HOST = "198.19.255.253";
    static final String ORIGIN_PEER = "198.19.255.254";

    /** A tier to emulate: {@code cpus} 0 = no CPU quota, {@code memoryMb} 0 = no memory limit. */
    public record TierSpec(String name, double cpus, long memoryMb) {
        public TierSpec {
            if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,30}")) {
                throw new IllegalArgumentException("tier name '" + name + "': use 1-31 of a-z, 0-9 and '-'");
            }
            if (!(cpus >= 0) || memoryMb < 0) {
                throw new IllegalArgumentException("tier '" + name + "': cpus and memoryMb must be >= 0 (got "
                        + cpus + ", " + memoryMb + ")");
            }
        }
    }

    /**
     * A link between two tiers at {@code bandwidthMbps} with round-trip time {@code rttMs}. A link with a round trip is
     * a veth pair delayed by the kernel's netem where it has it ({@link Netem}), else (as on this machine) a packet
     * link, whose {@link PacketDelayLine} delays every IP packet by half of it each way: either way the handshake, ACKs
     * and slow start pay it, as on a real link. One without is a veth pair. See docs/emulation.md for what each models.
     * {@code burstBytes} is tbf's bucket on both ends (the link profile's {@code calibration.burstBytes}; at least
     * {@link Tbf#minBurstBytes}).
     */
    public record LinkSpec(String from, String to, double bandwidthMbps, double rttMs, long burstBytes) {
        public LinkSpec {
            if (from.equals(to)) {
                throw new IllegalArgumentException("link joins two different tiers (both are '" + from + "')");
            }
            if (!(bandwidthMbps > 0) || Double.isInfinite(bandwidthMbps)) {
                throw new IllegalArgumentException("link " + from + "-" + to + ": bandwidthMbps must be positive (got "
                        + bandwidthMbps + ")");
            }
            if (!(rttMs >= 0) || Double.isInfinite(rttMs)) {
                throw new IllegalArgumentException("link " + from + "-" + to + ": rttMs must be >= 0 (got " + rttMs + ")");
            }
            if (burstBytes < Tbf.minBurstBytes(MTU)) {
                throw new IllegalArgumentException("link " + from + "-" + to + ": burstBytes must be >= " + Tbf.minBurstBytes(MTU)
                        + " (two full frames: less does not hold the rate; got " + burstBytes + ")");
            }
        }

        /** A link with the least bucket that holds the rate, {@link Tbf#minBurstBytes}. */
        public LinkSpec(String from, String to, double bandwidthMbps, double rttMs) {
            this(from, to, bandwidthMbps, rttMs, Tbf.minBurstBytes(MTU));
        }

        /** A link without added delay, with the least bucket. */
        public LinkSpec(String from, String to, double bandwidthMbps) {
            this(from, to, bandwidthMbps, 0);
        }

        /** The tbf that shapes each end. */
        public Tbf tbf() {
            return Tbf.forLink(bandwidthMbps, MTU, burstBytes);
        }

        /**
         * How its round trip is made: {@value #DELAY_NONE} without one; else {@value #DELAY_NETEM} where the kernel has
         * netem ({@code netemHere}), {@value #DELAY_PACKET} where it does not.
         */
        public String delay(boolean netemHere) {
            return rttMs == 0 ? DELAY_NONE : netemHere ? DELAY_NETEM : DELAY_PACKET;
        }
    }

    /**
     * One created link: interface and address at each end, the shaping applied to both directions, and how its round
     * trip is made, {@code delay}: {@value #DELAY_PACKET} (TUN devices and a {@link PacketDelayLine}), {@value #DELAY_NETEM}
     * (a veth pair with the kernel's netem, see {@link Netem}) or {@value #DELAY_NONE} (a veth pair, no added round trip).
     */
    public record Link(LinkSpec spec, String fromInterface, String fromAddress, String toInterface, String toAddress, Tbf tbf,
                       String delay) {}

    /** {@link Link#delay()} of a packet link. */
    public static final String DELAY_PACKET = "packet";
    /** {@link Link#delay()} of a veth link without added round trip. */
    public static final String DELAY_NONE = "none";
    /** {@link Link#delay()} of a veth link delayed by the kernel's netem. */
    public static final String DELAY_NETEM = "netem";

    private final String runId;
    private final List<TierSpec> tiers;
    private final String congestionControl;
    private final List<Link> links = new ArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    /** Packet links get /30s from here on: 198.19.0.0, the upper half of the benchmarking range. */
    private static final int PACKET_LINK_BASE = 1 << 14;
    private int packetLinks;
    private final Cgroups cgroups;
    private final Thread hook;
    private volatile boolean closed;
    /** Whether this kernel has netem (tried in this set's first namespace when a link has a round trip). */
    private boolean netem;
    /** The tier this process is the requester of, or null. */
    private String origin;

    private NetworkEmulation(String runId, List<TierSpec> tiers, String congestionControl, Cgroups cgroups) {
        this.runId = runId;
        this.tiers = List.copyOf(tiers);
        this.congestionControl = congestionControl;
        this.cgroups = cgroups;
        this.hook = new Thread(this::cleanUp, TAG + "-" + runId + "-cleanup");
    }

    /**
     * What this machine lacks for emulation: empty when it can run; otherwise each missing piece
     * (not Linux, not root, a missing tool or file system).
     */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            missing.add("Linux (this is " + System.getProperty("os.name") + ")");
            return missing;
        }
        if (!isRoot()) {
            missing.add("root (network namespaces, tc and cgroups need it; this process runs as uid " + uid() + ")");
        }
        for (String tool : List.of("ip", "tc", "nsenter", "sh")) {
            if (Shell.which(tool) == null) {
                missing.add("the '" + tool + "' command (" + (tool.equals("tc") || tool.equals("ip") ? "iproute2" : "util-linux") + ")");
            }
        }
        if (!Files.isDirectory(Path.of("/proc/sys/net/ipv4"))) {
            missing.add("/proc/sys/net/ipv4 (a kernel with networking sysctls)");
        }
        return missing;
    }

    /** Refuses clearly, naming what is missing, when {@link #missing()} is not empty. */
    public static void requireSupported() {
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            throw new EmulationUnavailableException("emulated tiers are not possible here; missing: " + String.join("; ", missing)
                    + ". The simulated link-delay model works without them.");
        }
    }

    /**
     * Creates the namespaces, links, shaping and cgroups (after removing stale sets of killed runs).
     *
     * @param congestionControl TCP congestion control pinned in every namespace, e.g. {@code cubic}; it must be
     *                          in the host's {@code net.ipv4.tcp_allowed_congestion_control}
     */
    public static NetworkEmulation create(List<TierSpec> tiers, List<LinkSpec> links, String congestionControl) {
        return create(tiers, links, congestionControl, null);
    }

    /**
     * As {@link #create(List, List, String)}, and with {@code originTier} non-null this process joins the set
     * as that tier's requester: an unshaped veth pair from this (the host's) namespace to the origin tier's, and
     * routes so that this process reaches every tier through the origin (see {@link #reachFromOrigin}). Every
     * namespace forwards IP, so a tier reaches the others over the links between them.
     */
    public static NetworkEmulation create(List<TierSpec> tiers, List<LinkSpec> links, String congestionControl,
                                          String originTier) {
        requireSupported();
        if (originTier != null && tiers.stream().noneMatch(t -> t.name().equals(originTier))) {
            throw new IllegalArgumentException("origin tier '" + originTier + "' is not among the tiers given");
        }
        Set<String> names = new LinkedHashSet<>();
        for (TierSpec t : tiers) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tier '" + t.name() + "' given twice");
            }
        }
        for (LinkSpec l : links) {
            if (!names.contains(l.from()) || !names.contains(l.to())) {
                throw new IllegalArgumentException("link " + l.from() + "-" + l.to() + " names a tier not given; tiers: " + names);
            }
        }
        if (links.size() > 32767) {
            throw new IllegalArgumentException("at most 32767 links fit 198.18.0.0/15 as /30s beside the requester's (got " + links.size() + ")");
        }
        boolean quotas = tiers.stream().anyMatch(t -> t.cpus() > 0 || t.memoryMb() > 0);
        Cgroups cgroups = Cgroups.detect();
        if (cgroups == null && quotas) {
            throw new EmulationUnavailableException("tier CPU quotas / memory limits need cgroups with the cpu controller "
                    + "(v1 cpu.cfs_quota_us or v2 cpu.max); none is mounted under /sys/fs/cgroup");
        }
        removeStale();
        NetworkEmulation e = new NetworkEmulation(newRunId(), tiers, congestionControl, cgroups);
        Runtime.getRuntime().addShutdownHook(e.hook);
        try {
            e.build(links);
            if (originTier != null) {
                e.joinAsOrigin(originTier);
            }
            return e;
        } catch (RuntimeException | IOException failure) {
            e.close();
            throw failure instanceof RuntimeException r ? r
                    : new IllegalStateException("emulation " + e.runId + ": " + failure.getMessage(), failure);
        }
    }

    private void build(List<LinkSpec> specs) throws IOException {
        Files.createDirectories(OWNERS);
        ProcessHandle self = ProcessHandle.current();
        Files.writeString(OWNERS.resolve(runId + ".owner"), self.pid() + " " + EmulationSets.startMillis(self) + "\n");
        for (TierSpec t : tiers) {
            String ns = namespace(t.name());
            Shell.run("ip", "netns", "add", ns);
            Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
            pinCongestionControl(ns);
            if (cgroups != null) {
                cgroups.create(ns, t.cpus(), t.memoryMb());
            }
        }
        netem = specs.stream().anyMatch(s -> s.rttMs() > 0) && !tiers.isEmpty() && Netem.available(namespace(tiers.get(0).name()));
        for (int i = 0; i < specs.size(); i++) {
            LinkSpec s = specs.get(i);
            String a = "tm" + runId + "l" + i + "a";
            String b = "tm" + runId + "l" + i + "b";
            String delay = s.delay(netem);
            links.add(delay.equals(DELAY_PACKET) ? packetLink(s, a, b, i) : vethLink(s, a, b, i, delay));
        }
    }

    private Link vethLink(LinkSpec s, String a, String b, int index, String delay) {
        String nsA = namespace(s.from());
        String nsB = namespace(s.to());
        // both ends are born inside their namespaces: nothing of ours ever appears in the host's
        Shell.run("ip", "link", "add", a, "netns", nsA, "mtu", Integer.toString(MTU), "type", "veth",
                "peer", "name", b, "netns", nsB, "mtu", Integer.toString(MTU));
        return configure(s, a, b, index, delay);
    }

    /**
     * Two TUN devices, {@code a} in {@code s.from()}'s namespace and {@code b} in {@code s.to()}'s, joined by a
     * {@link PacketDelayLine} (a process of this run: stopped with it, and found by its namespaces' names when a killed
     * run's set is removed) that delays every packet by half the round trip each way.
     */
    private Link packetLink(LinkSpec s, String a, String b, int index) throws IOException {
        String nsA = namespace(s.from());
        String nsB = namespace(s.to());
        Process p = new ProcessBuilder(PacketDelayLine.command(NETNS.resolve(nsA), a, NETNS.resolve(nsB), b, s.rttMs() / 2))
                .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(p);
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (ready == null || !ready.equals("packet delay line ready")) {
            p.destroyForcibly();
            throw new EmulationUnavailableException("the packet delay line between " + nsA + " and " + nsB
                    + " did not start (printed " + ready + "; it needs /dev/net/tun)");
        }
        return configure(s, a, b, index, DELAY_PACKET);
    }

    /**
     * Addresses link {@code index}'s /30 on both ends, shapes both with tbf (under netem with half the round trip when
     * {@code delay} is {@value #DELAY_NETEM}) and brings them up.
     */
    private Link configure(LinkSpec s, String a, String b, int index, String delay) {
        String nsA = namespace(s.from());
        String nsB = namespace(s.to());
        String addrA = address(index, 1);
        String addrB = address(index, 2);
        Shell.run("ip", "-n", nsA, "addr", "add", addrA + "/30", "dev", a);
        Shell.run("ip", "-n", nsB, "addr", "add", addrB + "/30", "dev", b);
        Tbf tbf = s.tbf();
        if (delay.equals(DELAY_NETEM)) {
            for (List<String> c : Netem.commands(nsA, a, tbf, s.rttMs() / 2)) {
                Shell.run(c.toArray(String[]::new));
            }
            for (List<String> c : Netem.commands(nsB, b, tbf, s.rttMs() / 2)) {
                Shell.run(c.toArray(String[]::new));
            }
        } else {
            shape(nsA, a, tbf);
            shape(nsB, b, tbf);
        }
        Shell.run("ip", "-n", nsA, "link", "set", a, "up");
        Shell.run("ip", "-n", nsB, "link", "set", b, "up");
        return new Link(s, a, addrA, b, addrB, tbf, delay);
    }

    /** Joins this process to {@code origin}'s namespace and routes every namespace along the links ({@link OriginRoutes}). */
    private void joinAsOrigin(String origin) {
        this.origin = origin;
        OriginRoutes.build(runId, origin, tiers.stream().map(TierSpec::name).toList(), links, this::namespace);
    }

    /** The links from {@code from} to {@code to}, fewest first; empty when they are the same tier. */
    public List<Link> path(String from, String to) {
        return OriginRoutes.path(links, from, to);
    }

    /**
     * Where this process (the origin's requester, see {@link #create(List, List, String, String)}) connects to
     * reach a server listening on {@code port} in {@code serverTier} (on all its addresses): the server's address
     * on the last link of the path from the origin. The path's round trips are its packet links' own.
     */
    public InetSocketAddress reachFromOrigin(String serverTier, int port) {
        if (origin == null) {
            throw new IllegalStateException("this emulation was created without an origin tier");
        }
        List<Link> path = path(origin, serverTier);
        if (path.isEmpty()) {
            throw new IllegalArgumentException("tier '" + serverTier + "' is the origin itself");
        }
        Link last = path.get(path.size() - 1);
        return new InetSocketAddress(last.spec().to().equals(serverTier) ? last.toAddress() : last.fromAddress(), port);
    }

    private void pinCongestionControl(String ns) {
        Shell.Result r = Shell.tryRun("ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                "net.ipv4.tcp_congestion_control=" + congestionControl);
        if (r.exit() != 0) {
            String allowed = Shell.tryRun("sysctl", "-n", "net.ipv4.tcp_allowed_congestion_control").out().strip();
            throw new EmulationUnavailableException("cannot pin TCP congestion control '" + congestionControl
                    + "' in namespace " + ns + " (" + r.err().strip() + "); a namespace may only use the host's allowed ones: '"
                    + allowed + "'. Choose one of them, or allow it on the host: sysctl -w net.ipv4.tcp_allowed_congestion_control=\""
                    + allowed + " " + congestionControl + "\"");
        }
    }

    private static void shape(String ns, String dev, Tbf tbf) {
        List<String> cmd = new ArrayList<>(List.of("tc", "-n", ns, "qdisc", "add", "dev", dev, "root"));
        cmd.addAll(List.of(tbf.tcArguments()));
        Shell.Result r = Shell.tryRun(cmd.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new EmulationUnavailableException("cannot shape " + dev + " in " + ns + " with tbf (" + r.err().strip()
                    + "): the kernel needs the sch_tbf qdisc");
        }
    }

    /** The host's end of the requester's link of run {@code runId}. */
    static String hostInterface(String runId) {
        return "tm" + runId + "o";
    }

    /** The second or third address of link {@code i}'s /30 in 198.18.0.0/15 (host 0: the network's own address). */
    static String address(int link, int host) {
        int offset = link * 4 + host;
        return "198." + (18 + (offset >> 16)) + "." + ((offset >> 8) & 0xff) + "." + (offset & 0xff);
    }

    public String runId() {
        return runId;
    }

    /** The namespace of {@code tier}: {@code tiermark-<runId>-<tier>}. */
    public String namespace(String tier) {
        return TAG + "-" + runId + "-" + tier;
    }

    /** The cgroup directories of {@code tier} (cpu first; empty without cgroups). */
    public List<Path> cgroupDirs(String tier) {
        return cgroups == null ? List.of() : cgroups.dirs(namespace(tier));
    }

    public List<Link> links() {
        return List.copyOf(links);
    }

    public String congestionControl() {
        return congestionControl;
    }

    /** The address {@code tier} has on its link to {@code peer}. */
    public String address(String tier, String peer) {
        for (Link l : links) {
            if (l.spec().from().equals(tier) && l.spec().to().equals(peer)) {
                return l.fromAddress();
            }
            if (l.spec().to().equals(tier) && l.spec().from().equals(peer)) {
                return l.toAddress();
            }
        }
        throw new IllegalArgumentException("no link between '" + tier + "' and '" + peer + "'");
    }

    /**
     * Starts {@code command} inside {@code tier}'s namespace and cgroup. {@code nsenter --net} (not
     * {@code ip netns exec}, which remounts /sys) keeps the cgroup files visible, so a JVM inside sees its CPU quota.
     */
    public Process start(String tier, List<String> command, ProcessBuilder.Redirect output) throws IOException {
        if (tiers.stream().noneMatch(t -> t.name().equals(tier))) {
            throw new IllegalArgumentException("unknown tier '" + tier + "'");
        }
        String ns = namespace(tier);
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + NETNS.resolve(ns), "--", "sh", "-c",
                (cgroups == null ? "" : cgroups.joinScript(ns)) + "exec \"$@\"", "sh"));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectOutput(output).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(p);
        return p;
    }

    /**
     * Adds a packet link from {@code from} to {@code to} at {@code bandwidthMbps} with {@code rttMs} (see {@link LinkSpec})
     * after the set was built, e.g. one per bandwidth between the same two tiers. Its /30 comes from the upper half of
     * the range (198.19.0.0/16), apart from {@link #links()}', which it does not join: no routes lead to it but its own.
     */
    public Link addPacketLink(String from, String to, double bandwidthMbps, double rttMs) throws IOException {
        return addPacketLink(new LinkSpec(from, to, bandwidthMbps, rttMs));
    }

    /** As {@link #addPacketLink(String, String, double, double)}, for {@code spec} (its bucket included). */
    public Link addPacketLink(LinkSpec spec) throws IOException {
        int k = packetLinks++;
        return packetLink(spec, "tm" + runId + "t" + k + "a", "tm" + runId + "t" + k + "b", PACKET_LINK_BASE + k);
    }

    /**
     * Where a client in {@code clientTier} connects to reach a server listening in {@code serverTier} on
     * {@code port} (bound to the server's address on their link, or to all addresses): the server's address on their
     * link; a packet link's round trip is on the link itself.
     */
    public InetSocketAddress reach(String clientTier, String serverTier, int port) {
        return new InetSocketAddress(address(serverTier, clientTier), port);
    }

    /**
     * Starts a stream {@link DelayLine} in {@code serverTier}'s namespace in front of {@code server}:{@code port}, delaying
     * each direction by {@code oneWayMs}, and returns where a client connects to it (stopped with the emulation). Only
     * for comparing the stream relay with packet links (LinkValidation): give such a link no round trip of its own.
     */
    public InetSocketAddress startStreamDelayLine(String serverTier, String server, int port, double oneWayMs) throws IOException {
        Process p = start(serverTier, DelayLine.command(server, port, oneWayMs), ProcessBuilder.Redirect.PIPE);
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (ready == null || !ready.startsWith("delay line ready ")) {
            p.destroyForcibly();
            throw new IllegalStateException("the delay line in " + namespace(serverTier) + " did not start (printed " + ready + ")");
        }
        return new InetSocketAddress(server, Integer.parseInt(ready.substring("delay line ready ".length()).strip()));
    }

    /** What was built, for the run record: names, addresses, shaping, congestion control, cgroups. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("runId", runId);
        d.put("congestionControl", congestionControl);
        d.put("cgroups", cgroups == null ? "none" : cgroups.describe());
        Map<String, Object> t = new LinkedHashMap<>();
        for (TierSpec s : tiers) {
            t.put(s.name(), Map.of("namespace", namespace(s.name()), "cpus", s.cpus(), "memoryMb", s.memoryMb()));
        }
        d.put("tiers", t);
        d.put("links", links);
        if (links.stream().anyMatch(l -> l.spec().rttMs() > 0)) {
            d.put("roundTripDelay", netem ? "netem (the kernel has it: tc qdisc add ... netem worked in " + namespace(tiers.get(0).name()) + ")"
                    : "packet delay line (no netem: " + String.join(" ", Netem.detectCommand(namespace(tiers.get(0).name())))
                    + " was refused)");
        }
        if (origin != null) {
            d.put("origin", Map.of("tier", origin, "hostInterface", hostInterface(runId), "hostAddress", ORIGIN_HOST,
                    "originAddress", ORIGIN_PEER, "shaping", "none (the requester's own stack)"));
        }
        return d;
    }

    /** Stops every process it started, then removes its cgroups, namespaces (with their interfaces and qdiscs) and owner file. */
    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or ran
        }
    }

    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        EmulationSets.remove(runId, cgroups);
    }

    /**
     * Whether this machine's kernel has netem, tried in a namespace of a set made for the purpose and removed at once (so
     * the run record can say which delay links with a round trip will get before any is built); false where this machine
     * cannot emulate at all ({@link #missing()}).
     */
    public static boolean netemHere() {
        if (!missing().isEmpty()) {
            return false;
        }
        try (NetworkEmulation e = create(List.of(new TierSpec("netem", 0, 0)), List.of(), "reno")) {
            return Netem.available(e.namespace("netem"));
        }
    }

    /** Whether this set's links with a round trip are netem-delayed veths ({@code true}) or packet links. */
    public boolean netem() {
        return netem;
    }

    /** Removes every set tagged {@value #TAG} whose owner process is gone; returns their run ids. */
    public static Set<String> removeStale() {
        return EmulationSets.removeStale();
    }

    /** Namespaces with this project's tag (of any run). */
    static List<String> namespaces() {
        return EmulationSets.namespaces();
    }

    private static String newRunId() {
        SecureRandom r = new SecureRandom();
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static boolean isRoot() {
        return uid() == 0;
    }

    private static long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: unknown counts as not root
        }
        return -1;
    }
}
