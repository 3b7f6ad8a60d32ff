package org.tiermark.suite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.emulation.EmulatedTiers;
import org.tiermark.emulation.NetworkEmulation;
import org.tiermark.emulation.RemoteTiers;
import org.tiermark.runtime.LinkDelayModel;
import org.tiermark.tier.DeploymentProfile;

/**
 * The links a suite run measures its deployments over ({@code --links}, {@code -Dtiermark.links}):
 * {@code simulated} (the default), {@code emulated} or {@code remote}. The choice replaces the simulated
 * {@code linkDelay} of the {@value #BENCHMARK} groups (the headline); the other benchmarks keep theirs
 * (cold start measures session creation in this process; the harness and link-wait benchmarks measure the
 * simulated model itself). Everything the choice needs is checked before the run folder exists.
 */
public final class RunLinks {
    /** The benchmark whose groups measure over the chosen links. */
    public static final String BENCHMARK = "DeploymentBenchmark";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    private RunLinks() {}

    /** Parses {@code --links}: simulated, emulated or remote. */
    public static LinkDelayModel parse(String value) {
        String v = value == null || value.isBlank() ? LinkDelayModel.SIMULATED.id() : value.strip();
        LinkDelayModel m;
        try {
            m = LinkDelayModel.parse(v);
        } catch (InvalidInputException e) {
            m = LinkDelayModel.OFF;
        }
        if (m == LinkDelayModel.OFF) {
            throw new InvalidInputException("--links '" + v + "': valid: simulated, emulated, remote");
        }
        return m;
    }

    /** {@code plan} with the {@value #BENCHMARK} groups' simulated links replaced by {@code links}. */
    public static Plan apply(Plan plan, LinkDelayModel links) {
        if (links == LinkDelayModel.SIMULATED) {
            return plan;
        }
        List<Plan.Group> groups = new ArrayList<>();
        for (Plan.Group g : plan.groups()) {
            List<String> delay = g.params().get("linkDelay");
            if (g.benchmark().equals(BENCHMARK) && delay != null && delay.equals(List.of(LinkDelayModel.SIMULATED.id()))) {
                Map<String, List<String>> params = new LinkedHashMap<>(g.params());
                params.put("linkDelay", List.of(links.id()));
                groups.add(new Plan.Group(g.benchmark(), g.methods(), params, g.singleShot()));
            } else {
                groups.add(g);
            }
        }
        return new Plan(groups, plan.skippedTargets());
    }

    /**
     * Checks that the run can measure over {@code links} before anything is measured, and returns what
     * run.json records of them. {@code emulated}: this machine can build namespaces, shaped links and cgroups
     * (else the refusal names what is missing) and every deployment of the run has a path the agents can
     * serve. {@code remote}: every tier off the origin has an endpoint that answers ready; each one's round trip and
     * throughput are measured and printed.
     */
    public static Map<String, Object> check(Suite suite, Plan plan, JmhSettings settings, LinkDelayModel links) {
        return check(suite, plan, settings, links, EmulatedTiers::missing);
    }

    /** As {@link #check(Suite, Plan, JmhSettings, LinkDelayModel)}, with what the machine lacks for emulation from {@code missingHere}. */
    static Map<String, Object> check(Suite suite, Plan plan, JmhSettings settings, LinkDelayModel links,
                                     Supplier<List<String>> missingHere) {
        Map<String, Object> setup = new LinkedHashMap<>();
        if (!links.real()) {
            return setup;
        }
        Set<String> deployments = new LinkedHashSet<>();
        for (Plan.Group g : JmhGroups.included(plan, settings)) {
            if (g.params().getOrDefault("linkDelay", List.of()).contains(links.id())) {
                deployments.addAll(g.params().getOrDefault("deployment", List.of()));
            }
        }
        if (deployments.isEmpty()) {
            throw new InvalidInputException("--links " + links.id() + ": the run measures no " + BENCHMARK
                    + " cell, the only benchmark that runs over real links (check --include)");
        }
        List<String> unsupported = new ArrayList<>();
        Set<String> tiers = new LinkedHashSet<>();
        for (String d : deployments) {
            DeploymentProfile deployment = suite.profiles().deployment(d);
            String why = EmulatedTiers.unsupported(deployment);
            if (why != null) {
                unsupported.add(why);
            }
            deployment.stages().stream().filter(t -> !t.equals(DeploymentProfile.ORIGIN)).forEach(tiers::add);
        }
        if (!unsupported.isEmpty()) {
            throw new InvalidInputException("--links " + links.id() + ": " + String.join("; ", unsupported)
                    + ". Leave such deployments out");
        }
        Map<String, String> notOverThem = notOverRealLinks(plan, settings, links);
        if (!notOverThem.isEmpty()) {
            setup.put("notOverTheseLinks", notOverThem);
            notOverThem.forEach((b, what) -> System.out.println("tiermark suite: note: " + b + " does not run over the " + links.id()
                    + " links: " + what));
        }
        if (links == LinkDelayModel.EMULATED) {
            String transport = EmulatedTiers.transport();
            requireEmulation(missingHere);
            setup.put("requester", "the JMH fork, joined to the '" + DeploymentProfile.ORIGIN + "' namespace by an unshaped veth");
            setup.put("cpuQuota", "per tier: relativeSpeed x intraOpThreads CPUs; memory limit: memoryBudgetMb");
            setup.put("congestionControl", EmulatedTiers.congestionControlHere());
            boolean netem = NetworkEmulation.netemHere();
            setup.put("roundTripDelay", netem ? "netem (the kernel's; tried in a namespace of its own)"
                    : "packet delay line (this kernel has no netem: tc qdisc add ... netem was refused in a namespace of its own)");
            setup.put("links", EmulatedTiers.links(suite.profiles(), deployments, netem));
            setup.put("transport", transport + " (-D" + EmulatedTiers.TRANSPORT_PROPERTY + "=rest|grpc): requester to agents and agent to agent");
            setup.put("perTrial", "emulation/ in the run folder: namespaces, links, shaping, cgroups and agents of each trial");
            return setup;
        }
        Map<String, Object> probes = new LinkedHashMap<>();
        for (String tier : tiers) {
            Map<String, Object> probe = RemoteTiers.probe(suite.profiles(), tier, PROBE_TIMEOUT);
            System.out.println("tiermark suite: " + RemoteTiers.describe(tier, probe));
            probes.put(tier, probe);
        }
        setup.put("tiers", probes);
        Map<String, Object> firstHops = remoteFirstHops(suite, plan, settings, links);
        if (!firstHops.isEmpty()) {
            setup.put("firstHops", firstHops);
        }
        return setup;
    }

    /**
     * The run's benchmarks other than {@value #BENCHMARK} that measure a deployment, each with what it measures instead
     * of the real links: said in run.json and on the console, so that a figure of a run with {@code links=emulated} or
     * {@code remote} is not read as measured over them.
     */
    static Map<String, String> notOverRealLinks(Plan plan, JmhSettings settings, LinkDelayModel links) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Plan.Group g : JmhGroups.included(plan, settings)) {
            List<String> delay = g.params().get("linkDelay");
            if (g.benchmark().equals(BENCHMARK) || delay == null || delay.contains(links.id())) {
                continue;
            }
            out.put(g.benchmark(), g.benchmark().equals("ColdStartBenchmark")
                    ? "session creation and the first request happen in the JMH fork, every stage in that process, with linkDelay="
                    + String.join(",", delay) + ": not the session creation of a tier agent on its tier (nor its process start), "
                    + "and no request crosses a real link"
                    : "measured in the JMH fork with linkDelay=" + String.join(",", delay));
        }
        return out;
    }

    /** Refuses {@code --links emulated} on a machine that lacks what {@code missingHere} lists, naming each piece. */
    static void requireEmulation(Supplier<List<String>> missingHere) {
        List<String> missing = missingHere.get();
        if (!missing.isEmpty()) {
            throw new InvalidInputException("--links emulated is not possible on this machine; missing: "
                    + String.join("; ", missing) + ". --links simulated works without them.");
        }
    }

    /**
     * For every cell whose first stage is off the origin, whether its server takes the raw input (see
     * {@link RemoteTiers#firstHop}); a server that does not is warned about: its first hop carries prepared tensors.
     */
    private static Map<String, Object> remoteFirstHops(Suite suite, Plan plan, JmhSettings settings, LinkDelayModel links) {
        Map<String, Object> firstHops = new LinkedHashMap<>();
        for (Plan.Group g : JmhGroups.included(plan, settings)) {
            if (!g.params().getOrDefault("linkDelay", List.of()).contains(links.id())) {
                continue;
            }
            for (String d : g.params().getOrDefault("deployment", List.of())) {
                String tier = suite.profiles().deployment(d).stages().get(0);
                if (tier.equals(DeploymentProfile.ORIGIN)) {
                    continue;
                }
                for (String model : g.params().getOrDefault("model", List.of())) {
                    for (String operator : g.params().getOrDefault("operator", List.of())) {
                        String served = RemoteTiers.servedModel(model, operator, 0);
                        String key = served + " at " + tier;
                        if (!firstHops.containsKey(key)) {
                            String hop = RemoteTiers.firstHop(suite.profiles(), tier, served, PROBE_TIMEOUT);
                            if (hop.startsWith("prepared")) {
                                System.err.println("tiermark suite: warning: " + key + ": " + hop);
                            }
                            firstHops.put(key, hop);
                        }
                    }
                }
            }
        }
        return firstHops;
    }
}
