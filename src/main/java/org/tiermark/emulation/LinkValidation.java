package org.tiermark.emulation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.tier.LinkCalibration;
import org.tiermark.tier.LinkDelay;
import org.tiermark.tier.LinkProfile;

/**
 * Validation of the simulated link-delay model against emulated links: payloads sent from a
 * {@code mobile} to an {@code edge} namespace over tbf-shaped veth links, one link per bandwidth, the
 * transfer time measured inside the sending namespace and compared with {@link LinkDelay} (payload
 * bits / bandwidth) and with tbf's own charge (wire bytes, headers included: {@link Tbf#transferNanos}).
 *
 * <p>{@code java -cp target/tiermark.jar org.tiermark.emulation.LinkValidation --out FILE [--full]
 * [--repeats N] [--new-connection] [--packet-delay] [--congestion-control NAME] [--bandwidths MBPS,...] [--payloads BYTES,...] [--rtt-ms MS]
 * [--calibration LINK.json]}; Linux
 * and root only. {@code --reanalyse RESULT.json [--calibration LINK.json]} predicts an earlier result's cells again;
 * {@code --fit RESULT.json,...} fits {@link Fit}'s terms of the calibration from results.
 */
public final class LinkValidation {
    /** The bandwidths of the studies' sweep. */
    public static final List<Double> BANDWIDTHS_MBPS = List.of(1.0, 10.0, 50.0, 100.0, 150.0, 200.0);
    /** Default payloads; {@code --full} adds 10 MB (84 s per transfer at 1 Mbit/s). */
    public static final List<Long> PAYLOADS = List.of(10_000L, 100_000L, 1_000_000L);
    private static final int PORT = 7000;

    private LinkValidation() {}

    /**
     * One cell: {@code transferNanos} are the timed transfers, each from the message's first byte written to
     * the sink's one-byte answer read (on a kept connection the first, which pays TCP slow start, is left out).
     * Predictions are for the message's crossing plus the answer's: {@code payloadOnly} the link-delay model
     * before calibration (payload bits over bandwidth), {@code calibrated} after it ({@link LinkCalibration}, its bucket
     * credited as the suite's simulated links credit it: {@link #predict}), {@code tbf} what tbf charges (wire bytes, {@link Tbf#transferNanos}, less the bucket refilled while the
     * link idled for the previous answer's round trip) plus the round trip and the calibration's per-message
     * cost. Errors are {@code (median - predicted) / predicted} in percent.
     */
    public record Cell(double bandwidthMbps, double rttMs, long payloadBytes, boolean newConnection, List<Long> transferNanos,
                       long medianNanos, long payloadOnlyNanos, double payloadOnlyErrorPct, long calibratedNanos,
                       double calibratedErrorPct, long tbfNanos, double tbfErrorPct) {}

    /** All cells and how the links were built. */
    public record Result(Map<String, Object> emulation, List<Cell> cells) {}

    /** Measures every (bandwidth, payload) cell {@code repeats} times over links without added delay, calibration {@link LinkCalibration#DEFAULT}. */
    public static Result run(List<Double> bandwidthsMbps, List<Long> payloads, int repeats, boolean newConnection,
                             String congestionControl) throws IOException, InterruptedException {
        return run(bandwidthsMbps, 0, payloads, repeats, newConnection, congestionControl, LinkCalibration.DEFAULT, false);
    }

    /**
     * Measures every (bandwidth, payload) cell {@code repeats} times over links of {@code rttMs} and predicts each with
     * {@code calibration}. The round trip comes from a {@link DelayLine} in front of the sink (veth links), or with
     * {@code packetDelay} from a {@link PacketDelayLine} (TUN links: the handshake and slow start pay it too).
     */
    public static Result run(List<Double> bandwidthsMbps, double rttMs, List<Long> payloads, int repeats, boolean newConnection,
                             String congestionControl, LinkCalibration calibration, boolean packetDelay)
            throws IOException, InterruptedException {
        if (repeats < 1) {
            throw new InvalidInputException("repeats must be >= 1 (got " + repeats + ")");
        }
        long burst = tbfBurstBytes(calibration);
        List<NetworkEmulation.LinkSpec> links = new ArrayList<>();
        for (double b : packetDelay ? List.<Double>of() : bandwidthsMbps) {
            // veth links: without --packet-delay the round trip is the stream relay's in front of the sink
            links.add(new NetworkEmulation.LinkSpec("mobile", "edge", b, 0, burst));
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
            List<NetworkEmulation.Link> measured = new ArrayList<>(e.links());
            for (double b : packetDelay ? bandwidthsMbps : List.<Double>of()) {
                measured.add(e.addPacketLink(new NetworkEmulation.LinkSpec("mobile", "edge", b, rttMs, burst)));
            }
            List<Cell> cells = new ArrayList<>();
            for (NetworkEmulation.Link link : measured) {
                int port = rttMs == 0 || packetDelay ? PORT : e.startStreamDelayLine("edge", link.toAddress(), PORT, rttMs / 2).getPort();
                for (long bytes : payloads) {
                    int warm = newConnection ? 0 : 1;
                    in.write(link.toAddress() + " " + port + " " + bytes + " " + (repeats + warm)
                            + (newConnection ? " new-connection" : "") + "\n");
                    in.flush();
                    List<Long> nanos = new ArrayList<>();
                    for (String line; !(line = readLine(out, link, bytes)).equals("end"); ) {
                        nanos.add(Long.parseLong(line));
                    }
                    cells.add(cell(link.spec().bandwidthMbps(), rttMs, bytes, newConnection, nanos.subList(warm, nanos.size()),
                            calibration));
                }
            }
            in.close();
            driver.waitFor(10, TimeUnit.SECONDS);
            Map<String, Object> described = new LinkedHashMap<>(e.describe());
            described.put("tbfBurstBytes", burst);
            described.put("linkDelay", packetDelay ? "packet delay line (TUN devices), per IP packet"
                    : rttMs == 0 ? "none" : "stream delay line (TCP relay in front of the sink)");
            if (packetDelay) {
                described.put("links", measured);
            }
            return new Result(described, cells);
        }
    }

    /**
     * tbf's bucket for links measured against {@code calibration}: its {@code burstBytes}, the bucket the model charges;
     * a calibration without one (0) gets tbf's least, two frames, which the model then does not charge.
     */
    public static long tbfBurstBytes(LinkCalibration calibration) {
        return Math.max(calibration.burstBytes(), Tbf.minBurstBytes(NetworkEmulation.MTU));
    }

    private static String readLine(BufferedReader out, NetworkEmulation.Link link, long bytes) throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("the sender stopped while sending " + bytes + " bytes over "
                    + link.spec().bandwidthMbps() + " Mbit/s");
        }
        return line.strip();
    }

    /** A cell from its timings: the message and the one-byte answer predicted under both models and by tbf. */
    public static Cell cell(double mbps, double rttMs, long bytes, boolean newConnection, List<Long> nanos,
                            LinkCalibration calibration) {
        long median = medianOf(nanos);
        // as measured: on a kept connection one transfer dropped before the timed ones
        int dropped = newConnection ? 0 : 1;
        long before = predict(mbps, rttMs, bytes, LinkCalibration.PAYLOAD_ONLY, nanos.size(), dropped);
        long after = predict(mbps, rttMs, bytes, calibration.withNewConnection(newConnection), nanos.size(), dropped);
        Tbf tbf = Tbf.forLink(mbps, NetworkEmulation.MTU, tbfBurstBytes(calibration));
        // tbf's bucket refills while the link idles between messages: the answer's round trip and its two messages'
        // socket costs (its crossing, the sender's turn to the next message); the next message's first bytes then pass
        // at once. tbf's column charges that and nothing of a connection's costs, the after column what the suite charges
        double idleMs = idleBetweenMessagesMs(rttMs, calibration);
        double bucketCreditBytes = Math.min(tbf.burstBytes(), Math.min(tbf.wireBytes(bytes), mbps * 1e6 / 8 * idleMs / 1e3));
        long tbfNanos = Math.round(tbf.transferNanos(bytes) - bucketCreditBytes * 8e9 / tbf.rateBitsPerSecond()
                + tbf.transferNanos(1) + rttMs * 1e6 + 2 * calibration.messageOverheadMs() * 1e6);
        return new Cell(mbps, rttMs, bytes, newConnection, List.copyOf(nanos), median, before, percent(median, before),
                after, percent(median, after), tbfNanos, percent(median, tbfNanos));
    }

    /**
     * The link-delay model's time for the message one way and the one-byte answer back on the same connection, as the
     * suite charges a cell's transfers: {@code dropped + transfers} of them back to back from rested links, each
     * direction's bucket kept by {@link LinkDelay.Buckets} as the suite's simulated links keep it (the sender's
     * direction refills while its message propagates and the answer comes back); the median of the last
     * {@code transfers}. A message larger than the bucket empties it, so from the second on every one gets the same
     * credit; messages smaller than it drain it over many.
     */
    public static long predict(double mbps, double rttMs, long bytes, LinkCalibration calibration, int transfers, int dropped) {
        if (transfers < 1 || dropped < 0) {
            throw new IllegalArgumentException("transfers must be >= 1 and dropped >= 0 (got " + transfers + ", " + dropped + ")");
        }
        LinkProfile link = new LinkProfile("check", "mobile", "edge", mbps, rttMs, 0, 0, "", calibration);
        List<LinkProfile> there = List.of(link);
        List<LinkProfile> back = List.of(link.withCalibration(calibration.withNewConnection(false)));
        LinkDelay.Buckets buckets = new LinkDelay.Buckets();
        LinkDelay.Jitter jitter = new LinkDelay.Jitter();
        List<Long> predicted = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < dropped + transfers; i++) {
            long message = LinkDelay.transferNanos(there, "mobile", bytes, jitter, buckets, t);
            long answer = LinkDelay.transferNanos(back, "edge", 1, jitter, buckets, t + message);
            if (i >= dropped) {
                predicted.add(message + answer);
            }
            t += message + answer; // the sender writes the next message once it read the answer
        }
        return medianOf(predicted);
    }

    /** As {@link #predict(double, double, long, LinkCalibration, int, int)} for one transfer after 63 back to back (steady). */
    public static long predict(double mbps, double rttMs, long bytes, LinkCalibration calibration) {
        return predict(mbps, rttMs, bytes, calibration, 1, 63);
    }

    private static long medianOf(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }

    /**
     * How long the sender's direction idles between two messages of a cell, for tbf's column: the previous answer's round
     * trip and two messages' socket costs (the answer's crossing, the sender's turn to the next message).
     */
    static double idleBetweenMessagesMs(double rttMs, LinkCalibration calibration) {
        return rttMs + 2 * calibration.messageOverheadMs();
    }

    /** The cells of an earlier result file predicted again under {@code calibration} (its timings unchanged). */
    public static List<Cell> reanalyse(Path resultFile, LinkCalibration calibration) throws IOException {
        JsonNode cells = Json.MAPPER.readTree(resultFile.toFile()).get("cells");
        if (cells == null || !cells.isArray()) {
            throw new InvalidInputException(resultFile + ": no 'cells' array (not a LinkValidation result)");
        }
        List<Cell> out = new ArrayList<>();
        for (JsonNode c : cells) {
            List<Long> nanos = new ArrayList<>();
            c.get("transferNanos").forEach(n -> nanos.add(n.asLong()));
            out.add(cell(c.get("bandwidthMbps").asDouble(), c.path("rttMs").asDouble(0), c.get("payloadBytes").asLong(),
                    c.get("newConnection").asBoolean(), nanos, calibration));
        }
        return out;
    }

    /**
     * The fitted terms of {@link LinkCalibration} from validation cells at zero round trip, each with the range it
     * is the median of: {@code messageOverheadMs} half the round trip of one-byte messages on kept connections, at
     * bandwidths where tbf's bucket refills a frame while the message crosses (so it passes each at once, and the round
     * trip is the sockets' cost alone; at 1-10 Mbit/s back-to-back round trips drain the bucket);
     * {@code connectionSetupMs} (new - kept) of the cells measured both ways, less the handshake's wire time.
     */
    public record Fit(double messageOverheadMs, double[] messageOverheadRangeMs, int messageCells, double connectionSetupMs,
                      double[] connectionSetupRangeMs, int connectionCells) {}

    /** Fits {@link Fit}'s terms from {@code cells} (kept and new connections, any payloads; only zero-RTT cells count). */
    public static Fit fit(List<Cell> cells) {
        List<Double> message = new ArrayList<>();
        Map<String, Long> kept = new LinkedHashMap<>();
        for (Cell c : cells) {
            if (c.rttMs() != 0 || c.newConnection()) {
                continue;
            }
            kept.put(c.bandwidthMbps() + "/" + c.payloadBytes(), c.medianNanos());
            double refilledBytes = c.bandwidthMbps() * 1e6 / 8 * c.medianNanos() / 2e9;
            if (c.payloadBytes() == 1 && refilledBytes >= LinkCalibration.DEFAULT.wireBytes(1 + 8)) { // with the probe's length
                message.add(c.medianNanos() / 2e6);
            }
        }
        List<Double> setup = new ArrayList<>();
        for (Cell c : cells) {
            Long k = kept.get(c.bandwidthMbps() + "/" + c.payloadBytes());
            if (c.rttMs() == 0 && c.newConnection() && k != null) {
                // what the model already charges a new connection at zero round trip: its handshake's wire time
                double handshakeMs = LinkCalibration.DEFAULT.handshakeWireBytes() * 8e-3 / c.bandwidthMbps();
                setup.add((c.medianNanos() - k) / 1e6 - handshakeMs);
            }
        }
        if (message.isEmpty()) {
            throw new InvalidInputException("no one-byte cell on a kept connection at zero round trip and >= 50 Mbit/s to fit "
                    + "messageOverheadMs from: measure with --payloads 1,... --bandwidths 50,100,...");
        }
        double setupMs = setup.isEmpty() ? Double.NaN : Math.max(0, median(setup));
        return new Fit(Math.max(0, median(message)), range(message), message.size(), setupMs, range(setup), setup.size());
    }

    private static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static double[] range(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        return v.isEmpty() ? new double[0] : new double[] {v.get(0), v.get(v.size() - 1)};
    }

    private static double percent(long measured, long predicted) {
        return Math.round((measured - predicted) * 1000.0 / predicted) / 10.0;
    }

    static List<String> probe(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), LinkProbe.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A plain-text table of the cells: the median, each prediction with its error, and whether the calibrated one is within 5%. */
    public static String table(List<Cell> cells) {
        StringBuilder s = new StringBuilder(String.format("%7s %6s %9s %4s %11s %11s %7s %11s %7s %4s %11s %7s%n",
                "Mbit/s", "rtt ms", "bytes", "conn", "median ms", "before ms", "err %", "after ms", "err %", "<=5%", "tbf ms", "err %"));
        for (Cell c : cells) {
            s.append(String.format("%7.0f %6.1f %9d %4s %11.3f %11.3f %7.1f %11.3f %7.1f %4s %11.3f %7.1f%n", c.bandwidthMbps(),
                    c.rttMs(), c.payloadBytes(), c.newConnection() ? "new" : "kept", c.medianNanos() / 1e6,
                    c.payloadOnlyNanos() / 1e6, c.payloadOnlyErrorPct(), c.calibratedNanos() / 1e6, c.calibratedErrorPct(),
                    Math.abs(c.calibratedErrorPct()) <= 5 ? "yes" : "no", c.tbfNanos() / 1e6, c.tbfErrorPct()));
        }
        return s.toString();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full", "--new-connection", "--packet-delay" -> o.put(args[i], "true");
                case "--out", "--repeats", "--congestion-control", "--bandwidths", "--payloads", "--rtt-ms", "--calibration",
                     "--reanalyse", "--fit" -> {
                    if (i + 1 >= args.length) {
                        throw new InvalidInputException(args[i] + " needs a value");
                    }
                    o.put(args[i], args[++i]);
                }
                default -> throw new InvalidInputException("unknown option " + args[i] + "; valid: --out FILE, --full, "
                        + "--repeats N, --new-connection, --packet-delay, --congestion-control NAME, --bandwidths 1,10,..., --payloads 1,10000,..., --rtt-ms MS, "
                        + "--calibration LINK_PROFILE.json, --reanalyse RESULT.json, --fit RESULT.json,RESULT.json,...");
            }
        }
        LinkCalibration calibration = o.containsKey("--calibration")
                ? Json.read(Path.of(o.get("--calibration")), LinkProfile.class).calibration() : LinkCalibration.DEFAULT;
        if (o.containsKey("--fit")) {
            List<Cell> cells = new ArrayList<>();
            for (String f : o.get("--fit").split(",")) {
                cells.addAll(reanalyse(Path.of(f.strip()), calibration));
            }
            Fit f = fit(cells);
            System.out.printf("messageOverheadMs %.4f (median of %d one-byte cells, range %s)%n", f.messageOverheadMs(),
                    f.messageCells(), Arrays.toString(f.messageOverheadRangeMs()));
            System.out.printf("connectionSetupMs %.4f (median of %d new - kept cells, range %s)%n", f.connectionSetupMs(),
                    f.connectionCells(), Arrays.toString(f.connectionSetupRangeMs()));
            return;
        }
        if (o.containsKey("--reanalyse")) {
            System.out.print(table(reanalyse(Path.of(o.get("--reanalyse")), calibration)));
            return;
        }
        Path out = o.containsKey("--out") ? Path.of(o.get("--out")) : null;
        if (out != null && Files.exists(out)) {
            throw new InvalidInputException(out + " exists; results are never overwritten: choose a new file");
        }
        List<Long> payloads = new ArrayList<>(PAYLOADS);
        if (o.containsKey("--full")) {
            payloads.add(10_000_000L);
        }
        if (o.containsKey("--payloads")) {
            payloads = new ArrayList<>();
            for (String b : o.get("--payloads").split(",")) {
                double v = number("--payloads", b);
                if (v < 1 || v != Math.rint(v)) {
                    throw new InvalidInputException("--payloads: '" + b + "' is not a whole number of bytes >= 1");
                }
                payloads.add((long) v);
            }
        }
        List<Double> bandwidths = BANDWIDTHS_MBPS;
        if (o.containsKey("--bandwidths")) {
            bandwidths = new ArrayList<>();
            for (String b : o.get("--bandwidths").split(",")) {
                bandwidths.add(number("--bandwidths", b));
            }
        }
        double rttMs = o.containsKey("--rtt-ms") ? number("--rtt-ms", o.get("--rtt-ms")) : 0;
        Result r = run(bandwidths, rttMs, payloads, Integer.parseInt(o.getOrDefault("--repeats", "3")),
                o.containsKey("--new-connection"), o.getOrDefault("--congestion-control", "cubic"), calibration,
                o.containsKey("--packet-delay"));
        System.out.print(table(r.cells()));
        if (out != null) {
            Json.writeAtomically(out, r);
        }
    }

    private static double number(String option, String value) {
        try {
            double v = Double.parseDouble(value.strip());
            if (v >= 0 && !Double.isInfinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(option + ": '" + value + "' is not a number >= 0");
    }
}
