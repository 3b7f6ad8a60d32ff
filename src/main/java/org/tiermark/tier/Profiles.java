package org.tiermark.tier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;

/**
 * All tier, link and deployment profiles of a folder ({@code profiles/} by default), loaded and
 * cross-checked: every tier a link or deployment names exists, and every stage can be reached from
 * {@link DeploymentProfile#ORIGIN}. Adding a JSON file adds a tier, link or deployment.
 */
public final class Profiles {
    private final Path root;
    private final Map<String, TierProfile> tiers;
    private final Map<String, LinkProfile> links;
    private final Map<String, DeploymentProfile> deployments;

    private Profiles(Path root, Map<String, TierProfile> tiers, Map<String, LinkProfile> links,
                     Map<String, DeploymentProfile> deployments) {
        this.root = root;
        this.tiers = Collections.unmodifiableMap(tiers);
        this.links = Collections.unmodifiableMap(links);
        this.deployments = Collections.unmodifiableMap(deployments);
    }

    /** Loads {@code root/tiers/*.json}, {@code root/links/*.json} and {@code root/deployments/*.json}. */
    public static Profiles load(Path root) {
        if (!Files.isDirectory(root)) {
            throw new InvalidInputException(root + ": profiles folder not found (expected tiers/, links/, deployments/ inside)");
        }
        Map<String, TierProfile> tiers = Json.readFolder(root.resolve("tiers"), TierProfile.class, TierProfile::name);
        // a bandwidth sweep's point (-Dtiermark.link.bandwidth) replaces one link's bandwidth for the whole JVM
        Map<String, LinkProfile> links = BandwidthOverride.applyCurrent(
                Json.readFolder(root.resolve("links"), LinkProfile.class, LinkProfile::name), root.resolve("links"));
        Map<String, DeploymentProfile> deployments =
                Json.readFolder(root.resolve("deployments"), DeploymentProfile.class, DeploymentProfile::name);
        if (tiers.isEmpty()) {
            throw new InvalidInputException(root.resolve("tiers") + ": no tier profiles (*.json) found");
        }
        if (!tiers.containsKey(DeploymentProfile.ORIGIN)) {
            throw new InvalidInputException(root.resolve("tiers") + ": the tier '" + DeploymentProfile.ORIGIN
                    + "' is required (inputs are captured there); found " + tiers.keySet());
        }
        Profiles p = new Profiles(root, tiers, links, deployments);
        for (LinkProfile link : links.values()) {
            Path file = root.resolve("links").resolve(link.name() + ".json");
            for (String end : List.of(link.from(), link.to())) {
                if (!tiers.containsKey(end)) {
                    throw InvalidInputException.unknown("tier", end, file, tiers.keySet());
                }
            }
        }
        for (DeploymentProfile d : deployments.values()) {
            Path file = root.resolve("deployments").resolve(d.name() + ".json");
            for (String tier : d.stages()) {
                if (!tiers.containsKey(tier)) {
                    throw InvalidInputException.unknown("tier", tier, file, tiers.keySet());
                }
            }
            try {
                p.hops(d);
            } catch (InvalidInputException e) {
                throw new InvalidInputException(file + ": " + e.getMessage(), e);
            }
        }
        return p;
    }

    public Path root() {
        return root;
    }

    public Map<String, TierProfile> tiers() {
        return tiers;
    }

    public Map<String, LinkProfile> links() {
        return links;
    }

    public Map<String, DeploymentProfile> deployments() {
        return deployments;
    }

    public TierProfile tier(String name) {
        TierProfile t = tiers.get(name);
        if (t == null) {
            throw InvalidInputException.unknown("tier", name, null, tiers.keySet());
        }
        return t;
    }

    public DeploymentProfile deployment(String name) {
        DeploymentProfile d = deployments.get(name);
        if (d == null) {
            throw InvalidInputException.unknown("deployment", name, null, deployments.keySet());
        }
        return d;
    }

    /**
     * Refuses, before anything is measured, a deployment that {@code compute} cannot emulate: a
     * stretched tier faster than the measuring machine ({@code relativeSpeed} > 1) would need a
     * negative wait. Names the tier's file and the two valid ways out.
     */
    public void checkDeployable(DeploymentProfile deployment, ComputeEmulation compute) {
        if (compute != ComputeEmulation.STRETCH) {
            return;
        }
        for (String name : deployment.stages()) {
            TierProfile tier = tier(name);
            if (tier.relativeSpeed() > 1.0) {
                throw InvalidInputException.field(root.resolve("tiers").resolve(name + ".json"), "relativeSpeed",
                        tier.relativeSpeed() + " > 1: a tier faster than the measuring machine cannot be emulated by "
                        + "stretching compute (deployment '" + deployment.name() + "'). Set relativeSpeed <= 1, or "
                        + "measure that tier by running the suite on a machine at least that fast and combine the "
                        + "runs with `tiermark compare --compose`");
            }
        }
    }

    /** As {@link #checkDeployable(DeploymentProfile, ComputeEmulation)}, for every deployment named. */
    public void checkDeployable(Collection<String> deployments, ComputeEmulation compute) {
        for (String d : deployments) {
            checkDeployable(deployment(d), compute);
        }
    }

    /** The links crossed from tier {@code from} to tier {@code to}, fewest hops first; empty when equal. */
    public List<LinkProfile> route(String from, String to) {
        if (from.equals(to)) {
            return List.of();
        }
        Map<String, LinkProfile> via = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(from));
        via.put(from, null);
        while (!queue.isEmpty()) {
            String at = queue.poll();
            for (LinkProfile l : links.values()) {
                if ((l.from().equals(at) || l.to().equals(at)) && !via.containsKey(l.other(at))) {
                    via.put(l.other(at), l);
                    queue.add(l.other(at));
                }
            }
        }
        if (!via.containsKey(to)) {
            throw new InvalidInputException("no link path from tier '" + from + "' to tier '" + to
                    + "'; add a profile under " + root.resolve("links") + " joining them (links: " + links.keySet() + ")");
        }
        List<LinkProfile> path = new ArrayList<>();
        for (String at = to; !at.equals(from); ) {
            LinkProfile l = via.get(at);
            path.add(0, l);
            at = l.other(at);
        }
        return path;
    }

    /**
     * The transfers of one request through a deployment: origin to the first stage, between stages,
     * and from the last stage back to the origin.
     */
    public List<Hop> hops(DeploymentProfile d) {
        List<Hop> hops = new ArrayList<>();
        String at = DeploymentProfile.ORIGIN;
        for (int i = 0; i <= d.stageCount(); i++) {
            String next = i < d.stageCount() ? d.stages().get(i) : DeploymentProfile.ORIGIN;
            hops.add(new Hop(at, next, route(at, next)));
            at = next;
        }
        return hops;
    }

    /** One transfer of a request between two tiers, over zero or more links. */
    public record Hop(String from, String to, List<LinkProfile> links) {
        public Hop {
            links = List.copyOf(links);
        }

        public String label() {
            return from + ">" + to;
        }
    }
}
