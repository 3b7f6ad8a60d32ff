package org.tiermark.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.emulation.EmulatedTiers;
import org.tiermark.report.SweepReport;
import org.tiermark.runtime.LinkDelayModel;
import org.tiermark.tier.BandwidthOverride;
import org.tiermark.tier.Profiles;

/**
 * The studies' network experiment: the chosen matrix measured at each bandwidth of one link
 * ({@code --sweep mobile-edge:1,10,50,100,150,200}). Each point is a complete suite run in a run folder of its
 * own, with the point in its run.json ({@code sweep}), so compare and gate work on it as on any run; the
 * forks see the link at the point's bandwidth through {@link BandwidthOverride}: the simulated model charges it, and in
 * emulated mode each trial shapes the link's tbf at it (remote links are refused: their bandwidth is the network's). The sweep's
 * folder {@code results/sweep-<time>/} lists the points' run folders ({@value #FILE}) and holds the report of
 * latency against bandwidth ({@link SweepReport}).
 *
 * @param link           the link swept
 * @param bandwidthsMbps the bandwidths, in the order given
 */
public record Sweep(String link, List<Double> bandwidthsMbps) {
    public static final String FILE = "sweep.json";

    public Sweep {
        bandwidthsMbps = List.copyOf(bandwidthsMbps);
    }

    /**
     * One point of a sweep, recorded in its run's run.json.
     *
     * @param id                   the sweep's folder name, shared by its points
     * @param link                 the link swept
     * @param bandwidthMbps        this point's bandwidth
     * @param bandwidthsMbps       every point's bandwidth
     * @param profileBandwidthMbps the link profile's own bandwidth
     */
    public record Point(String id, String link, double bandwidthMbps, List<Double> bandwidthsMbps, double profileBandwidthMbps) {}

    /** What {@value #FILE} holds: the sweep, and each point's run folder and exit code. */
    public record Record(String id, String link, List<Double> bandwidthsMbps, double profileBandwidthMbps,
                         Map<String, String> runs, Map<String, Integer> exitCodes) {}

    /**
     * {@code LINK:MBPS,MBPS,...}; the link must be one of {@code profiles}, each bandwidth a positive number, none twice.
     */
    public static Sweep parse(String spec, Profiles profiles) {
        String s = spec == null ? "" : spec.strip();
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new InvalidInputException("--sweep: '" + s + "' is not LINK:MBPS,MBPS,... (e.g. mobile-edge:1,10,50,100,150,200)");
        }
        String link = s.substring(0, colon).strip();
        if (!profiles.links().containsKey(link)) {
            throw InvalidInputException.unknown("link", link, profiles.root().resolve("links"), profiles.links().keySet());
        }
        List<Double> bandwidths = new ArrayList<>();
        Set<Double> seen = new HashSet<>();
        for (String part : s.substring(colon + 1).split(",")) {
            double b;
            try {
                b = Double.parseDouble(part.strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--sweep: bandwidth '" + part.strip() + "' is not a number of Mbit/s");
            }
            if (!(b > 0) || Double.isInfinite(b)) {
                throw new InvalidInputException("--sweep: bandwidth " + part.strip() + " must be a positive number of Mbit/s");
            }
            if (!seen.add(b)) {
                throw new InvalidInputException("--sweep: bandwidth " + part.strip() + " is given twice");
            }
            bandwidths.add(b);
        }
        return new Sweep(link, bandwidths);
    }

    /**
     * Refuses, before the sweep's folder exists, what the sweep cannot measure over {@code links}: remote links (their
     * bandwidth is the network's, not the suite's to set), and emulated ones on a machine that cannot build them.
     */
    public void checkLinks(LinkDelayModel links) {
        if (links == LinkDelayModel.REMOTE) {
            throw new InvalidInputException("--sweep with --links remote: a remote link's bandwidth is the network's and cannot be set "
                    + "per point; sweep with --links simulated or emulated");
        }
        if (links == LinkDelayModel.EMULATED) {
            RunLinks.requireEmulation(EmulatedTiers::missing);
            EmulatedTiers.congestionControlHere();
        }
    }

    /** The request for one point: recorded in run.json, and the forks told the link's bandwidth. */
    static SuiteRun.Request pointRequest(SuiteRun.Request r, Point point) {
        JmhSettings j = r.jmh();
        String property = "-D" + BandwidthOverride.PROPERTY + "=" + new BandwidthOverride(point.link(), point.bandwidthMbps()).property();
        JmhSettings withLink = new JmhSettings(j.forks(), j.warmupIterations(), j.warmupTime(), j.iterations(), j.time(),
                (j.jvmArgs() + " " + property).strip(), j.include(), j.minSamples());
        return new SuiteRun.Request(r.results(), r.size(), r.params(), withLink, r.baseline(), r.skipAccuracy(), r.requireAll(),
                r.prior(), r.links(), point);
    }

    /**
     * Runs the request at every bandwidth, one suite run each, then writes the sweep's record and report;
     * returns {@link SuiteRun#FAILED} when any point failed (the others are kept and reported).
     */
    public int run(Path home, SuiteRun.Request request) throws IOException {
        Suite suite = Suite.load(home);
        double profileMbps = suite.profiles().links().get(link).bandwidthMbps();
        String id = "sweep-" + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = request.results().resolve(id);
        Files.createDirectories(request.results());
        Files.createDirectory(dir);
        Map<String, Integer> codes = new LinkedHashMap<>();
        for (double mbps : bandwidthsMbps) {
            Point point = new Point(id, link, mbps, bandwidthsMbps, profileMbps);
            System.out.println("tiermark suite: sweep " + id + ": " + link + " at " + mbps + " Mbit/s");
            String before = System.getProperty(BandwidthOverride.PROPERTY);
            // this JVM plans the point (request times, preflight) with the same link its forks measure
            System.setProperty(BandwidthOverride.PROPERTY, new BandwidthOverride(link, mbps).property());
            try {
                codes.put(key(mbps), SuiteRun.run(Suite.load(home), pointRequest(request, point)));
            } catch (InvalidInputException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                System.err.println("tiermark suite: sweep point " + mbps + " Mbit/s failed: " + e);
                codes.put(key(mbps), SuiteRun.FAILED);
            } finally {
                if (before == null) {
                    System.clearProperty(BandwidthOverride.PROPERTY);
                } else {
                    System.setProperty(BandwidthOverride.PROPERTY, before);
                }
            }
        }
        Map<String, String> runs = runsOf(request.results(), id);
        Record record = new Record(id, link, bandwidthsMbps, profileMbps, runs, codes);
        Json.writeAtomically(dir.resolve(FILE), record);
        Map<Double, Path> byBandwidth = new LinkedHashMap<>();
        runs.forEach((mbps, run) -> byBandwidth.put(Double.parseDouble(mbps), request.results().resolve(run)));
        List<String> problems = SweepReport.write(dir, link, byBandwidth);
        problems.forEach(p -> System.err.println("tiermark suite: sweep report: " + p));
        System.out.println("tiermark suite: sweep report " + dir.resolve(SweepReport.FILE));
        return codes.values().stream().allMatch(c -> c == SuiteRun.OK) && problems.isEmpty() ? SuiteRun.OK : SuiteRun.FAILED;
    }

    private static String key(double mbps) {
        return Double.toString(mbps);
    }

    /** The run folders in {@code results} whose run.json names sweep {@code id}, by bandwidth. */
    static Map<String, String> runsOf(Path results, String id) throws IOException {
        Map<String, String> runs = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.list(results)) {
            for (Path d : dirs.filter(p -> Files.isRegularFile(p.resolve(RunRecord.FILE)) && !Files.isSymbolicLink(p)).sorted().toList()) {
                Point p = RunRecord.read(d).sweep();
                if (p != null && p.id().equals(id)) {
                    runs.put(key(p.bandwidthMbps()), d.getFileName().toString());
                }
            }
        }
        return runs;
    }
}
