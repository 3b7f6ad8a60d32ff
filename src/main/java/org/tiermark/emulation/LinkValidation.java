package org.tiermark.emulation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.tier.LinkDelay;
import org.tiermark.tier.LinkProfile;

/**
 * Validation of the simulated link-delay model against emulated links: payloads sent from a
 * {@code mobile} to an {@code edge} namespace over tbf-shaped veth links, one link per bandwidth, the
 * transfer time measured inside the sending namespace and compared with {@link LinkDelay} (payload
 * bits / bandwidth) and with tbf's own charge (wire bytes, headers included: {@link Tbf#transferNanos}).
 *
 * <p>{@code java -cp target/tiermark.jar org.tiermark.emulation.LinkValidation --out FILE [--full]
 * [--repeats N] [--new-connection] [--congestion-control NAME]}; Linux and root only.
 */
public final class LinkValidation {
    /** The bandwidths of the studies' sweep. */
    public static final List<Double> BANDWIDTHS_MBPS = List.of(1.0, 10.0, 50.0, 100.0, 150.0, 200.0);
    /** Default payloads; {@code --full} adds 10 MB (84 s per transfer at 1 Mbit/s). */
    public static final List<Long> PAYLOADS = List.of(10_000L, 100_000L, 1_000_000L);
    private static final int PORT = 7000;

    private LinkValidation() {}

    /**
     * One cell: {@code transferNanos} are the timed transfers (on a kept connection the first, which pays
     * TCP slow start, is left out); errors are {@code (median - predicted) / predicted} in percent.
     */
    public record Cell(double bandwidthMbps, long payloadBytes, boolean newConnection, List<Long> transferNanos,
                       long medianNanos, long linkDelayNanos, double linkDelayErrorPct, long tbfNanos, double tbfErrorPct) {}

    /** All cells and how the links were built. */
    public record Result(Map<String, Object> emulation, List<Cell> cells) {}

    /** Measures every (bandwidth, payload) cell {@code repeats} times. */
    public static Result run(List<Double> bandwidthsMbps, List<Long> payloads, int repeats, boolean newConnection,
                             String congestionControl) throws IOException, InterruptedException {
        if (repeats < 1) {
            throw new InvalidInputException("repeats must be >= 1 (got " + repeats + ")");
        }
        List<NetworkEmulation.LinkSpec> links = new ArrayList<>();
        for (double b : bandwidthsMbps) {
            links.add(new NetworkEmulation.LinkSpec("mobile", "edge", b));
        }
        try (NetworkEmulation e = NetworkEmulation.create(List.of(new NetworkEmulation.TierSpec("mobile", 0, 0),
                new NetworkEmulation.TierSpec("edge", 0, 0)), links, congestionControl)) {
            Process sink = e.start("edge", probe("sink", Integer.toString(PORT)), ProcessBuilder.Redirect.PIPE);
            String ready = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (ready == null || !ready.startsWith("sink ready")) {
                throw new IllegalStateException("the sink in " + e.namespace("edge") + " did not start (printed " + ready + ")");
            }
            Process driver = e.start("mobile", probe("driver"), ProcessBuilder.Redirect.PIPE);
            BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
            Writer in = new OutputStreamWriter(driver.getOutputStream(), StandardCharsets.UTF_8);
            List<Cell> cells = new ArrayList<>();
            for (NetworkEmulation.Link link : e.links()) {
                for (long bytes : payloads) {
                    int warm = newConnection ? 0 : 1;
                    in.write(link.toAddress() + " " + PORT + " " + bytes + " " + (repeats + warm)
                            + (newConnection ? " new-connection" : "") + "\n");
                    in.flush();
                    List<Long> nanos = new ArrayList<>();
                    for (String line; !(line = readLine(out, link, bytes)).equals("end"); ) {
                        nanos.add(Long.parseLong(line));
                    }
                    cells.add(cell(link, bytes, newConnection, nanos.subList(warm, nanos.size())));
                }
            }
            in.close();
            driver.waitFor(10, TimeUnit.SECONDS);
            return new Result(e.describe(), cells);
        }
    }

    private static String readLine(BufferedReader out, NetworkEmulation.Link link, long bytes) throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("the sender stopped while sending " + bytes + " bytes over "
                    + link.spec().bandwidthMbps() + " Mbit/s");
        }
        return line.strip();
    }

    static Cell cell(NetworkEmulation.Link link, long bytes, boolean newConnection, List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        long median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        double mbps = link.spec().bandwidthMbps();
        long model = LinkDelay.transferNanos(new LinkProfile("check", "mobile", "edge", mbps, 0, 0, 0, ""), bytes, 0);
        long tbf = Math.round(link.tbf().transferNanos(bytes));
        return new Cell(mbps, bytes, newConnection, List.copyOf(nanos), median, model, percent(median, model), tbf,
                percent(median, tbf));
    }

    private static double percent(long measured, long predicted) {
        return Math.round((measured - predicted) * 1000.0 / predicted) / 10.0;
    }

    private static List<String> probe(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), LinkProbe.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A plain-text table of the cells. */
    public static String table(List<Cell> cells) {
        StringBuilder s = new StringBuilder(String.format("%10s %10s %12s %12s %8s %12s %8s%n",
                "Mbit/s", "bytes", "median ms", "model ms", "err %", "tbf ms", "err %"));
        for (Cell c : cells) {
            s.append(String.format("%10.0f %10d %12.3f %12.3f %8.1f %12.3f %8.1f%n", c.bandwidthMbps(), c.payloadBytes(),
                    c.medianNanos() / 1e6, c.linkDelayNanos() / 1e6, c.linkDelayErrorPct(), c.tbfNanos() / 1e6, c.tbfErrorPct()));
        }
        return s.toString();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full", "--new-connection" -> o.put(args[i], "true");
                case "--out", "--repeats", "--congestion-control", "--bandwidths" -> {
                    if (i + 1 >= args.length) {
                        throw new InvalidInputException(args[i] + " needs a value");
                    }
                    o.put(args[i], args[++i]);
                }
                default -> throw new InvalidInputException("unknown option " + args[i] + "; valid: --out FILE, --full, "
                        + "--repeats N, --new-connection, --congestion-control NAME, --bandwidths 1,10,...");
            }
        }
        Path out = o.containsKey("--out") ? Path.of(o.get("--out")) : null;
        if (out != null && Files.exists(out)) {
            throw new InvalidInputException(out + " exists; results are never overwritten: choose a new file");
        }
        List<Long> payloads = new ArrayList<>(PAYLOADS);
        if (o.containsKey("--full")) {
            payloads.add(10_000_000L);
        }
        List<Double> bandwidths = BANDWIDTHS_MBPS;
        if (o.containsKey("--bandwidths")) {
            bandwidths = new ArrayList<>();
            for (String b : o.get("--bandwidths").split(",")) {
                bandwidths.add(Double.parseDouble(b.strip()));
            }
        }
        Result r = run(bandwidths, payloads, Integer.parseInt(o.getOrDefault("--repeats", "3")),
                o.containsKey("--new-connection"), o.getOrDefault("--congestion-control", "cubic"));
        System.out.print(table(r.cells()));
        if (out != null) {
            Json.writeAtomically(out, r);
        }
    }
}
