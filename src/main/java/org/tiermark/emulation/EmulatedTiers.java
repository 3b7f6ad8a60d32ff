package org.tiermark.emulation;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.tiermark.InvalidInputException;
import org.tiermark.model.Catalog;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.LocalStage;
import org.tiermark.runtime.Stage;
import org.tiermark.tier.DeploymentProfile;
import org.tiermark.tier.LinkProfile;
import org.tiermark.tier.Profiles;
import org.tiermark.tier.TierProfile;

/**
 * One deployment on emulated tiers (Linux, root), for one benchmark trial: a {@link NetworkEmulation} set
 * with a namespace per tier on the deployment's routes, its links shaped as their profiles say, and a
 * {@code tiermark agent} per tier off the origin, inside that tier's namespace and cgroup, serving exactly
 * the stages placed there. This process is the origin's requester: it reaches the origin's namespace over an
 * unshaped veth and the other tiers through it, runs the origin's own stages itself, and opens every other
 * stage as a {@link RemoteStage} ({@link #opener}). {@link #close()} removes all of it. A first stage off the
 * origin takes the raw input ({@code --raw}); of two consecutive stages on two tiers off the origin the first
 * one's agent relays to the second's ({@code --next}, store and forward), which the runner sees as a
 * {@link RelayedStage}. The agents speak REST, or gRPC with {@value #TRANSPORT_PROPERTY}{@code =grpc}. A link with a
 * round trip is a packet link (the handshake, ACKs and slow start pay it; {@link NetworkEmulation.LinkSpec}), one
 * without a veth pair.
 *
 * <p>A tier's cgroup gets {@code relativeSpeed x intraOpThreads} CPUs (its threads together get the share of
 * this machine's cores the tier's speed says, as {@code stretch} gives each compute step 1 / relativeSpeed of
 * the time) and its {@code memoryBudgetMb} as memory limit. The origin's namespace gets no cgroup limits:
 * nothing runs there but IP forwarding.
 *
 * <p>Over 400 lines: building a deployment's set, starting its agents in relay order, opening its stages and
 * describing it share the set's state.
 */
public final class EmulatedTiers implements AutoCloseable {
    /**
     * System property: the TCP congestion control pinned in every namespace (default cubic where allowed, else reno); one
     * this kernel does not have or a namespace may not pin is refused naming the valid ones.
     */
    public static final String CONGESTION_CONTROL_PROPERTY = "tiermark.emulation.congestionControl";
    /** System property: the transport between requester and agents, and between agents, {@code rest} (default) or {@code grpc}. */
    public static final String TRANSPORT_PROPERTY = "tiermark.transport";
    /** The port each agent listens on inside its own namespace. */
    static final int AGENT_PORT = 8000;
    /** The port of each agent's gRPC service when the transport is gRPC. */
    static final int AGENT_GRPC_PORT = 8001;
    private static final Duration AGENT_START = Duration.ofSeconds(120);

    private final NetworkEmulation emulation;
    /** The agents the origin calls, by tier, as this process reaches them. */
    private final Map<String, URI> endpoints = new LinkedHashMap<>();
    /** The agents another agent relays to, by tier, as that agent reaches them. */
    private final Map<String, URI> relays = new LinkedHashMap<>();
    private final String transport;
    private final Map<String, Double> cpus = new LinkedHashMap<>();
    private final List<Path> logs = new ArrayList<>();
    /** {@code STAGE=MODEL} of the first stage when it takes the raw input on its tier, else null. */
    private String rawFirstStage;

    private EmulatedTiers(NetworkEmulation emulation, String transport) {
        this.emulation = emulation;
        this.transport = transport;
    }

    /**
     * Why {@code deployment} cannot run on real tiers with this build, or null when it can: two consecutive
     * stages on the same tier off the origin (the agent relays to another tier's agent, not to itself).
     * Consecutive stages on two tiers off the origin ({@code edge-cloud}) are relayed by the first one's agent.
     */
    public static String unsupported(DeploymentProfile deployment) {
        List<String> s = deployment.stages();
        for (int i = 1; i < s.size(); i++) {
            if (!s.get(i).equals(DeploymentProfile.ORIGIN) && s.get(i - 1).equals(s.get(i))) {
                return "deployment '" + deployment.name() + "' places stages " + (i - 1) + " and " + i + " both on '" + s.get(i)
                        + "': on real tiers an agent relays to another tier's agent, not to itself; measure it with simulated links";
            }
        }
        return null;
    }

    /** True when stage {@code i} of {@code deployment} is run by stage {@code i - 1}'s agent relaying to it. */
    static boolean relayed(DeploymentProfile deployment, int i) {
        List<String> s = deployment.stages();
        return i > 0 && !s.get(i - 1).equals(DeploymentProfile.ORIGIN) && !s.get(i).equals(DeploymentProfile.ORIGIN);
    }

    /**
     * The links {@code deployments} cross when emulated, by name, for the run record: endpoints, bandwidth, round trip,
     * {@code delay} ({@value NetworkEmulation#DELAY_PACKET}, {@value NetworkEmulation#DELAY_NETEM} where the kernel has
     * netem ({@code netemHere}), or {@value NetworkEmulation#DELAY_NONE}; see {@link NetworkEmulation.LinkSpec#delay}) and
     * the tbf settings on both ends.
     */
    public static Map<String, Object> links(Profiles profiles, Collection<String> deployments, boolean netemHere) {
        Map<String, Object> out = new TreeMap<>();
        for (String d : deployments) {
            for (Profiles.Hop hop : profiles.hops(profiles.deployment(d))) {
                for (LinkProfile l : hop.links()) {
                    Map<String, Object> link = new LinkedHashMap<>();
                    link.put("from", l.from());
                    link.put("to", l.to());
                    link.put("bandwidthMbps", l.bandwidthMbps());
                    link.put("rttMs", l.rttMs());
                    link.put("delay", spec(l).delay(netemHere));
                    link.put("tbf", spec(l).tbf());
                    out.put(l.name(), link);
                }
            }
        }
        return out;
    }

    /**
     * How {@code l} is emulated: its tbf takes the bucket the link-delay model charges ({@code calibration.burstBytes}), so
     * simulated and emulated links agree; a link whose bucket tbf cannot make (none, or under two frames) is refused.
     */
    static NetworkEmulation.LinkSpec spec(LinkProfile l) {
        long burst = l.calibration().burstBytes();
        long least = Tbf.minBurstBytes(NetworkEmulation.MTU);
        if (burst < least) {
            throw new InvalidInputException("link '" + l.name() + "' (profiles/links/" + l.name() + ".json): field "
                    + "'calibration.burstBytes' is " + burst + (burst == 0 ? " (a link without a shaper)" : "") + ", but tbf "
                    + "cannot emulate a bucket under two full frames (" + least + " bytes at MTU " + NetworkEmulation.MTU
                    + ": less does not hold the rate); set it to " + least + " or more, and the simulated model charges the same");
        }
        return new NetworkEmulation.LinkSpec(l.from(), l.to(), l.bandwidthMbps(), l.rttMs(), burst);
    }

    /** The transport the agents serve and the requester speaks: {@value #TRANSPORT_PROPERTY}, rest (default) or grpc. */
    public static String transport() {
        String t = System.getProperty(TRANSPORT_PROPERTY, "rest").strip();
        if (!t.equals("rest") && !t.equals("grpc")) {
            throw new InvalidInputException("-D" + TRANSPORT_PROPERTY + "='" + t + "': valid: rest, grpc");
        }
        return t;
    }

    /**
     * Builds the tiers and links of {@code deployment}'s routes and starts an agent per tier off the origin
     * serving {@code variant}'s stages placed there; any failure removes what was made.
     *
     * @param home    the project folder (the agents read their tier profiles from it)
     * @param timeout how long a request may take before the stage fails
     */
    public static EmulatedTiers open(Path home, Profiles profiles, DeploymentProfile deployment, Variant variant,
                                     Duration timeout) throws IOException {
        String why = unsupported(deployment);
        if (why != null) {
            throw new InvalidInputException(why);
        }
        String transport = transport();
        Set<String> tierNames = new LinkedHashSet<>(List.of(DeploymentProfile.ORIGIN));
        Map<String, LinkProfile> links = new LinkedHashMap<>();
        for (Profiles.Hop hop : profiles.hops(deployment)) {
            tierNames.add(hop.from());
            tierNames.add(hop.to());
            for (LinkProfile l : hop.links()) {
                links.put(l.name(), l);
                tierNames.add(l.from());
                tierNames.add(l.to());
            }
        }
        List<NetworkEmulation.TierSpec> tiers = new ArrayList<>();
        Map<String, Double> cpus = new LinkedHashMap<>();
        for (String name : tierNames) {
            TierProfile t = profiles.tier(name);
            boolean origin = name.equals(DeploymentProfile.ORIGIN);
            double c = origin ? 0 : cpus(t);
            cpus.put(name, c);
            tiers.add(new NetworkEmulation.TierSpec(name, c, origin ? 0 : t.memoryBudgetMb()));
        }
        List<NetworkEmulation.LinkSpec> linkSpecs = links.values().stream().map(EmulatedTiers::spec).toList();
        NetworkEmulation e = NetworkEmulation.create(tiers, linkSpecs, congestionControl(), DeploymentProfile.ORIGIN);
        EmulatedTiers t = new EmulatedTiers(e, transport);
        t.cpus.putAll(cpus);
        try {
            Map<String, Map<String, Path>> served = new LinkedHashMap<>();
            Map<String, Integer> lastStage = new LinkedHashMap<>();
            for (int i = 0; i < deployment.stageCount(); i++) {
                String tier = deployment.stages().get(i);
                if (!tier.equals(DeploymentProfile.ORIGIN)) {
                    served.computeIfAbsent(tier, k -> new LinkedHashMap<>()).put(RemoteTiers.servedModel(variant, i), variant.stages().get(i));
                    lastStage.put(tier, i);
                }
            }
            String first = deployment.stages().get(0);
            String raw = first.equals(DeploymentProfile.ORIGIN) || !catalogHas(home, variant.model()) ? null
                    : RemoteTiers.servedModel(variant, 0) + "=" + variant.model();
            t.rawFirstStage = raw;
            // the tier a stage relays to must serve before the relaying agent connects to it: last stages first
            List<String> order = new ArrayList<>(served.keySet());
            order.sort((a, b) -> Integer.compare(lastStage.get(b), lastStage.get(a)));
            for (String tier : order) {
                List<String> next = new ArrayList<>();
                for (int i = 0; i + 1 < deployment.stageCount(); i++) {
                    if (deployment.stages().get(i).equals(tier) && relayed(deployment, i + 1)) {
                        String to = deployment.stages().get(i + 1);
                        InetSocketAddress at = e.reach(tier, to, t.agentPort());
                        URI endpoint = t.uri(at);
                        t.relays.put(to, endpoint);
                        next.add(RemoteTiers.servedModel(variant, i) + "=" + to + "@" + endpoint + "/" + RemoteTiers.servedModel(variant, i + 1));
                    }
                }
                t.startAgent(home, tier, served.get(tier), tier.equals(first) ? raw : null, next, timeout);
                boolean calledByOrigin = false;
                for (int i = 0; i < deployment.stageCount(); i++) {
                    calledByOrigin |= deployment.stages().get(i).equals(tier) && !relayed(deployment, i);
                }
                if (calledByOrigin) {
                    t.endpoints.put(tier, t.uri(e.reachFromOrigin(tier, t.agentPort())));
                }
            }
            return t;
        } catch (IOException | RuntimeException failure) {
            t.close();
            throw failure;
        }
    }

    private int agentPort() {
        return transport.equals("grpc") ? AGENT_GRPC_PORT : AGENT_PORT;
    }

    private URI uri(InetSocketAddress at) {
        return URI.create((transport.equals("grpc") ? "grpc" : "http") + "://" + at.getHostString() + ":" + at.getPort());
    }

    /** The CPUs a tier's cgroup gets: {@code relativeSpeed x intraOpThreads}, as the class comment says. */
    static double cpus(TierProfile t) {
        return t.relativeSpeed() * t.intraOpThreads();
    }

    /**
     * What this machine lacks for emulated tiers: {@link NetworkEmulation#missing()} and a cgroup hierarchy with
     * the cpu controller (the tiers' CPU quotas); empty when it has everything.
     */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>(NetworkEmulation.missing());
        if (missing.isEmpty() && Cgroups.detect() == null) {
            missing.add("a cgroup hierarchy with the cpu controller (v1 cpu.cfs_quota_us or v2 cpu.max) under /sys/fs/cgroup");
        }
        return missing;
    }

    /** The TCP congestion control emulated tiers pin on this machine (see {@link #CONGESTION_CONTROL_PROPERTY}). */
    public static String congestionControlHere() {
        return congestionControl();
    }

    /**
     * The pinned TCP congestion control: the property's (checked, see {@link #checkCongestionControl}), else cubic where
     * the host allows it, else reno.
     */
    static String congestionControl() {
        String asked = System.getProperty(CONGESTION_CONTROL_PROPERTY, "").strip();
        List<String> allowed = words(Shell.tryRun("sysctl", "-n", "net.ipv4.tcp_allowed_congestion_control").out());
        if (!asked.isEmpty()) {
            checkCongestionControl(asked, words(readOrEmpty(AVAILABLE_CONGESTION_CONTROL)), allowed);
            return asked;
        }
        return allowed.contains("cubic") ? "cubic" : "reno";
    }

    /** Where the kernel lists the congestion controls it has. */
    static final Path AVAILABLE_CONGESTION_CONTROL = Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control");

    /**
     * Refuses {@code asked} unless the kernel has it ({@code available}) and lets a network namespace pin it
     * ({@code allowed}: {@code net.ipv4.tcp_allowed_congestion_control}, always holding reno), naming the valid ones.
     */
    static void checkCongestionControl(String asked, List<String> available, List<String> allowed) {
        if (!available.contains(asked)) {
            throw new InvalidInputException("-D" + CONGESTION_CONTROL_PROPERTY + "='" + asked + "': not a TCP congestion control of "
                    + "this kernel; valid (" + AVAILABLE_CONGESTION_CONTROL + "): " + String.join(", ", available));
        }
        if (!allowed.contains(asked)) {
            throw new InvalidInputException("-D" + CONGESTION_CONTROL_PROPERTY + "='" + asked + "': this kernel has it, but a network "
                    + "namespace may only pin one of net.ipv4.tcp_allowed_congestion_control: " + String.join(", ", allowed)
                    + "; choose one of those, or allow it with sysctl -w net.ipv4.tcp_allowed_congestion_control='"
                    + String.join(" ", allowed) + " " + asked + "'");
        }
    }

    private static List<String> words(String text) {
        String t = text.strip();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * True when {@code model} is in {@code home}'s catalog, whose preprocessing an agent can run for a raw-input
     * first hop; a variant of a model outside it (a test's hand-made one) sends prepared tensors instead.
     */
    private static boolean catalogHas(Path home, String model) {
        Path models = home.resolve("models");
        return Files.isDirectory(models) && Catalog.load(models).models().containsKey(model);
    }

    /** Starts the agent of {@code tier} serving {@code stages}; {@code raw} ({@code STAGE=MODEL} or null) its raw-input stage. */
    private void startAgent(Path home, String tier, Map<String, Path> stages, String raw, List<String> next, Duration timeout)
            throws IOException {
        Path log = Files.createTempFile("tiermark-agent-" + emulation.runId() + "-" + tier, ".log");
        logs.add(log);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "org.tiermark.cli.Tiermark", "agent",
                "--tier", tier, "--port", Integer.toString(AGENT_PORT), "--bind", "0.0.0.0", "--home", home.toAbsolutePath().toString(),
                "--timeout-ms", Long.toString(timeout.toMillis())));
        if (transport.equals("grpc")) {
            cmd.addAll(List.of("--grpc-port", Integer.toString(AGENT_GRPC_PORT)));
        }
        if (!next.isEmpty()) {
            cmd.addAll(List.of("--next", String.join(",", next)));
        }
        if (raw != null) {
            // the first stage preprocesses on its tier, so the first hop carries the encoded image or text
            cmd.addAll(List.of("--raw", raw));
        }
        stages.forEach((name, file) -> cmd.add(name + "=" + file.toAbsolutePath()));
        Process p = emulation.start(tier, cmd, ProcessBuilder.Redirect.to(log.toFile()));
        long deadline = System.nanoTime() + AGENT_START.toNanos();
        while (true) {
            String out = Files.readString(log);
            if (out.contains("agent ready ")) {
                break;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("the agent of tier '" + tier + "' in namespace " + emulation.namespace(tier)
                        + " exited with " + p.exitValue() + " before serving (its output: " + out.strip() + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agent of tier '" + tier + "' in namespace " + emulation.namespace(tier)
                        + " did not serve within " + AGENT_START.toSeconds() + " s");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the agent of tier '" + tier + "'", e);
            }
        }
    }

    /**
     * Opens the origin's stages in this process and every other stage as a {@link RemoteStage} at its tier's agent;
     * a stage that cannot be reached fails naming its tier and endpoint.
     */
    public Stage.Opener opener(OrtEnvironment env, Variant variant, Duration timeout) {
        Stage.Opener local = LocalStage.opener(env);
        return (index, file, tier) -> {
            if (tier.name().equals(DeploymentProfile.ORIGIN)) {
                return local.open(index, file, tier);
            }
            if (!endpoints.containsKey(tier.name()) && relays.containsKey(tier.name())) {
                return new RelayedStage("model '" + RemoteTiers.servedModel(variant, index) + "' at " + relays.get(tier.name())
                        + ", relayed to by the previous stage's agent");
            }
            URI endpoint = endpoints.get(tier.name());
            try {
                return RemoteStage.opener(env, i -> new RemoteStage.Served(endpoint, RemoteTiers.servedModel(variant, i)), timeout).open(index, file, tier);
            } catch (RuntimeException ex) {
                throw new InvalidInputException("stage " + index + " on emulated tier '" + tier.name() + "' (" + endpoint + "): "
                        + ex.getMessage(), ex);
            }
        };
    }

    /** The agents' endpoints as this process reaches them, by tier. */
    public Map<String, URI> endpoints() {
        return Map.copyOf(endpoints);
    }

    public NetworkEmulation emulation() {
        return emulation;
    }

    /** What was built, for the run folder: the emulation, the agents' endpoints and each tier's CPU quota. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>(emulation.describe());
        Map<String, String> e = new LinkedHashMap<>();
        endpoints.forEach((k, v) -> e.put(k, v.toString()));
        d.put("agents", e);
        Map<String, String> r = new LinkedHashMap<>();
        relays.forEach((k, v) -> r.put(k, v.toString()));
        d.put("relays", r);
        d.put("transport", transport);
        d.put("firstHop", rawFirstStage == null ? "prepared tensors (the first stage is on the origin, or its model is not in the catalog)"
                : "raw input: " + rawFirstStage + " preprocesses on its tier");
        d.put("cpuQuota", "cpus = relativeSpeed x intraOpThreads per tier: " + cpus);
        d.put("qdiscs", qdiscs());
        return d;
    }

    /**
     * The kernel's own account of the shaping, {@code tc -n <namespace> qdisc show} per tier, one line per qdisc: what
     * was really set (a sweep point's bandwidth, for one), not what was asked for.
     */
    private Map<String, List<String>> qdiscs() {
        Map<String, List<String>> q = new LinkedHashMap<>();
        for (String tier : cpus.keySet()) {
            Shell.Result r = Shell.tryRun("tc", "-n", emulation.namespace(tier), "qdisc", "show");
            q.put(tier, r.exit() == 0 ? r.out().strip().lines().map(String::strip).toList()
                    : List.of("tc -n " + emulation.namespace(tier) + " qdisc show failed: " + r.err().strip()));
        }
        return q;
    }

    /** Stops the agents and packet delay lines and removes the namespaces, links (TUN devices and veths), qdiscs and cgroups. */
    @Override
    public void close() {
        emulation.close();
        for (Path log : logs) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // a temporary file: the system's cleaner removes it
            }
        }
    }
}
