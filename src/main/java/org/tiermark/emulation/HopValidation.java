package org.tiermark.emulation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.tier.LinkDelay;
import org.tiermark.tier.LinkProfile;

/**
 * What a hop through a tier costs: a message from {@code mobile} to {@code cloud} over two links of the same
 * bandwidth through {@code edge}, once IP-routed (edge forwards packets: they pipeline, and the message pays
 * one link's serialization) and once relayed by a process in edge that receives the whole message before
 * sending it on (store and forward, as a tier's agent does: two serializations), next to {@link LinkDelay}'s
 * figure for the two-link route.
 *
 * <p>{@code java -cp target/tiermark.jar org.tiermark.emulation.HopValidation [--mbps 10] [--bytes 1000000]
 * [--repeats 3] [--congestion-control reno] [--out FILE]}; Linux and root only.
 */
public final class HopValidation {
    private static final int SINK_PORT = 7000;
    private static final int RELAY_PORT = 7001;

    private HopValidation() {}

    /** Medians of the timed transfers (the first on each connection left out) and the model's two-link figure. */
    public record Result(double bandwidthMbps, long payloadBytes, List<Long> routedNanos, List<Long> relayedNanos,
                         long routedMedianNanos, long relayedMedianNanos, long oneLinkModelNanos, long routeModelNanos,
                         Map<String, Object> emulation) {}

    public static Result run(double mbps, long bytes, int repeats, String congestionControl) throws IOException {
        List<NetworkEmulation.TierSpec> tiers = List.of(new NetworkEmulation.TierSpec("mobile", 0, 0),
                new NetworkEmulation.TierSpec("edge", 0, 0), new NetworkEmulation.TierSpec("cloud", 0, 0));
        try (NetworkEmulation e = NetworkEmulation.create(tiers, List.of(new NetworkEmulation.LinkSpec("mobile", "edge", mbps),
                new NetworkEmulation.LinkSpec("edge", "cloud", mbps)), congestionControl)) {
            String cloud = e.address("cloud", "edge");
            String mobile = e.address("mobile", "edge");
            // routing only inside the namespaces this run created: mobile and cloud reach each other through edge
            Shell.run("ip", "-n", e.namespace("mobile"), "route", "add", cloud + "/32", "via", e.address("edge", "mobile"));
            Shell.run("ip", "-n", e.namespace("cloud"), "route", "add", mobile + "/32", "via", e.address("edge", "cloud"));
            Shell.run("nsenter", "--net=/run/netns/" + e.namespace("edge"), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            ready(e.start("cloud", LinkValidation.probe("sink", Integer.toString(SINK_PORT)), ProcessBuilder.Redirect.PIPE), "sink ready");
            ready(e.start("edge", LinkValidation.probe("relay", Integer.toString(RELAY_PORT), cloud, Integer.toString(SINK_PORT)),
                    ProcessBuilder.Redirect.PIPE), "relay ready");
            Process driver = e.start("mobile", LinkValidation.probe("driver"), ProcessBuilder.Redirect.PIPE);
            BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
            Writer in = new OutputStreamWriter(driver.getOutputStream(), StandardCharsets.UTF_8);
            List<Long> routed = timings(in, out, cloud + " " + SINK_PORT + " " + bytes + " " + (repeats + 1));
            List<Long> relayed = timings(in, out, e.address("edge", "mobile") + " " + RELAY_PORT + " " + bytes + " " + (repeats + 1));
            in.close();
            LinkProfile a = new LinkProfile("mobile-edge", "mobile", "edge", mbps, 0, 0, 0, "");
            LinkProfile b = new LinkProfile("edge-cloud", "edge", "cloud", mbps, 0, 0, 0, "");
            return new Result(mbps, bytes, routed, relayed, median(routed), median(relayed), LinkDelay.transferNanos(a, bytes, 0),
                    LinkDelay.transferNanos(List.of(a, b), bytes, new LinkDelay.Jitter()), e.describe());
        }
    }

    private static void ready(Process p, String expected) throws IOException {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.startsWith(expected)) {
            throw new IllegalStateException("expected '" + expected + "' from a probe, got " + line);
        }
    }

    private static List<Long> timings(Writer in, BufferedReader out, String request) throws IOException {
        in.write(request + "\n");
        in.flush();
        List<Long> nanos = new ArrayList<>();
        for (String line; !(line = out.readLine().strip()).equals("end"); ) {
            nanos.add(Long.parseLong(line));
        }
        return List.copyOf(nanos.subList(1, nanos.size()));
    }

    private static long median(List<Long> nanos) {
        List<Long> s = nanos.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    public static void main(String[] args) throws Exception {
        double mbps = 10;
        long bytes = 1_000_000;
        int repeats = 3;
        String cc = "reno";
        Path outFile = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--mbps" -> mbps = Double.parseDouble(args[i + 1]);
                case "--bytes" -> bytes = Long.parseLong(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--congestion-control" -> cc = args[i + 1];
                case "--out" -> outFile = Path.of(args[i + 1]);
                default -> throw new InvalidInputException("unknown option " + args[i]
                        + "; valid: --mbps N, --bytes N, --repeats N, --congestion-control NAME, --out FILE");
            }
        }
        if (args.length % 2 != 0) {
            throw new InvalidInputException("every option takes a value (got " + String.join(" ", args) + ")");
        }
        Result r = run(mbps, bytes, repeats, cc);
        System.out.printf("%s bytes over two %s Mbit/s links: routed %.1f ms, relayed %.1f ms; model: one link %.1f ms, "
                        + "the route (store and forward) %.1f ms%n", bytes, mbps, r.routedMedianNanos() / 1e6,
                r.relayedMedianNanos() / 1e6, r.oneLinkModelNanos() / 1e6, r.routeModelNanos() / 1e6);
        if (outFile != null) {
            Json.writeAtomically(outFile, r);
        }
    }
}
