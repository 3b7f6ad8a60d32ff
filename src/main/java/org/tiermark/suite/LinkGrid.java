package org.tiermark.suite;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tiermark.InvalidInputException;
import org.tiermark.emulation.NetworkEmulation;
import org.tiermark.runtime.LinkDelayModel;
import org.tiermark.tier.LinkCalibration;
import org.tiermark.tier.Profiles;

/**
 * What the {@code links} matrix ({@code --matrix links}, {@code -Dtiermark.matrix=links}) measures: the validation of
 * the link-delay model, {@value #BENCHMARK} (a payload between two namespaces over a tbf-shaped link, against
 * {@code LinkDelay}'s prediction) over a grid of link, bandwidth, payload and connection; the report shows the
 * error per cell. {@code --params} restricts the grid like the matrix, e.g. {@code bandwidthMbps=10,100;payloadBytes=100000}
 * (any link of the profiles, any positive bandwidth and payload). It needs what emulated links need (Linux, root,
 * {@code ip}, {@code tc}, {@code nsenter}); elsewhere it is refused before a run folder exists.
 */
public final class LinkGrid {
    /** The benchmark the grid runs. */
    public static final String BENCHMARK = "LinkTransferBenchmark";
    static final String METHOD = "transfer";

    private LinkGrid() {}

    /** The default grid: the studies' bandwidths, 10 KB to 1 MB, a kept and a new connection per message. */
    static Map<String, List<String>> defaultGrid() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("link", List.of("mobile-edge"));
        g.put("bandwidthMbps", List.of("1", "10", "50", "100", "150", "200"));
        g.put("payloadBytes", List.of("10000", "100000", "1000000"));
        g.put("connection", List.of(LinkCalibration.KEPT, LinkCalibration.NEW));
        return g;
    }

    /** The plan of the {@code links} matrix: one JMH group over the grid {@code filter} restricts. */
    public static Plan plan(String filter, Profiles profiles) {
        Map<String, List<String>> grid = defaultGrid();
        String f = filter == null ? "" : filter.strip();
        for (String part : f.isEmpty() ? new String[0] : f.split(";")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part.strip() : part.substring(0, eq).strip();
            if (!grid.containsKey(key) || eq < 0) {
                throw new InvalidInputException("--params '" + part.strip() + "' in the links matrix: give KEY=V,V,... with KEY one of "
                        + String.join(", ", grid.keySet()));
            }
            List<String> values = List.of(part.substring(eq + 1).split(",")).stream().map(String::strip).toList();
            for (String v : values) {
                check(key, v, profiles);
            }
            grid.put(key, values);
        }
        return new Plan(List.of(new Plan.Group(BENCHMARK, List.of(METHOD), grid)), List.of());
    }

    private static void check(String key, String value, Profiles profiles) {
        switch (key) {
            case "link" -> {
                if (!profiles.links().containsKey(value)) {
                    throw InvalidInputException.unknown("link", value, profiles.root().resolve("links"), profiles.links().keySet());
                }
            }
            case "connection" -> {
                if (!value.equals(LinkCalibration.KEPT) && !value.equals(LinkCalibration.NEW)) {
                    throw new InvalidInputException("--params connection=" + value + " in the links matrix: valid: "
                            + LinkCalibration.KEPT + ", " + LinkCalibration.NEW);
                }
            }
            default -> {
                double v;
                try {
                    v = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    v = Double.NaN;
                }
                boolean whole = key.equals("payloadBytes");
                if (!(v > 0) || Double.isInfinite(v) || (whole && v != Math.rint(v))) {
                    throw new InvalidInputException("--params " + key + "=" + value + " in the links matrix: give a positive "
                            + (whole ? "whole number of bytes" : "number of Mbit/s"));
                }
            }
        }
    }

    /**
     * What run.json records of the grid's links ({@code links} is {@code emulated} whatever was asked: the grid always
     * runs over emulated links); {@code --links remote} is refused, since the grid shapes its own links.
     */
    static Map<String, Object> setup(LinkDelayModel links) {
        if (links == LinkDelayModel.REMOTE) {
            throw new InvalidInputException("--links remote with --matrix links: the link validation grid shapes its own emulated "
                    + "links; leave --links out");
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("grid", BENCHMARK + ": per cell a mobile and an edge namespace joined by a tbf-shaped veth at the cell's bandwidth, "
                + "with the link profile's round trip through a delay line; the link-delay model's prediction beside each "
                + "transfer (docs/emulation.md, Validation and calibration)");
        return s;
    }

    /** Refuses the grid on a machine that cannot emulate links, naming what is missing. */
    public static void requireEmulation() {
        requireEmulation(NetworkEmulation::missing);
    }

    static void requireEmulation(Supplier<List<String>> missingHere) {
        List<String> missing = missingHere.get();
        if (!missing.isEmpty()) {
            throw new InvalidInputException("--matrix links (the link-delay model against emulated links) is not possible on this "
                    + "machine; missing: " + String.join("; ", missing) + ". The other matrices work without them.");
        }
    }
}
