package org.tiermark.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tiermark.emulation.LinkProbe;
import org.tiermark.emulation.LinkValidation;
import org.tiermark.emulation.NetworkEmulation;
import org.tiermark.emulation.PacketDelayLine;
import org.tiermark.tier.LinkCalibration;
import org.tiermark.tier.LinkDelay;
import org.tiermark.tier.LinkProfile;
import org.tiermark.tier.Profiles;

/**
 * The simulated link-delay model against an emulated link (Linux, root): a payload sent from a {@code mobile}
 * to an {@code edge} namespace over a tbf-shaped link at {@code bandwidthMbps} with the profile's round trip (see
 * {@link #delay}), the sink answering one byte once it has it all; over one kept connection, or a new one per
 * request as the studies' HTTP clients did. The score is the request as the benchmark sees it (one line to a
 * sender process inside the namespace and its answer); the counters hold the sender's own timing and
 * {@link LinkDelay}'s prediction, calibrated and payload-only, per transfer. Not root, no tc or not Linux: the
 * trial fails at once saying what is missing. The suite's {@code links} matrix runs it
 * ({@code mvn -P jmh verify -Dtiermark.matrix=links}, grid in {@code suite/LinkGrid}); or run it directly,
 * {@code java -cp target/tiermark.jar org.openjdk.jmh.Main LinkTransferBenchmark [-p payloadBytes=10000000]};
 * {@code emulation.LinkValidation} measures the same grid as one program.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// the first transfer of a kept connection pays slow start: warm up for real
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@State(Scope.Benchmark)
public class LinkTransferBenchmark {
    private static final int PORT = 7000;

    @Param({"mobile-edge"})
    public String link;

    @Param({"1", "10", "50", "100", "150", "200"})
    public double bandwidthMbps;

    @Param({"10000", "100000", "1000000"})
    public long payloadBytes;

    @Param({"kept", "new"})
    public String connection;

    /**
     * How the profile's round trip is added: {@code packet}, a {@link PacketDelayLine} between TUN devices (every IP
     * packet, so a new connection's handshake and slow start pay it), or {@code stream}, the TCP relay
     * {@code DelayLine} in front of the sink on a veth link (what the suite's emulated links use).
     */
    @Param({"packet"})
    public String delay;

    private NetworkEmulation emulation;
    private Process driver;
    private BufferedReader fromDriver;
    private Writer toDriver;
    private String line;
    private long modelNanos;
    private long payloadOnlyNanos;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (!connection.equals(LinkCalibration.KEPT) && !connection.equals(LinkCalibration.NEW)) {
            throw new IllegalArgumentException("connection: 'kept' or 'new' (got '" + connection + "')");
        }
        if (!delay.equals("packet") && !delay.equals("stream")) {
            throw new IllegalArgumentException("delay: 'packet' or 'stream' (got '" + delay + "')");
        }
        NetworkEmulation.requireSupported();
        LinkProfile profile = Profiles.load(Path.of(System.getProperty("tiermark.home", ".")).resolve("profiles")).links().get(link);
        if (profile == null) {
            throw new IllegalArgumentException("link: no profile '" + link + "' in profiles/links");
        }
        LinkProfile at = profile.withBandwidth(bandwidthMbps)
                .withCalibration(profile.calibration().withNewConnection(connection.equals(LinkCalibration.NEW)));
        // the message one way and the one-byte answer back on the same connection, as the sender times it
        modelNanos = LinkValidation.predict(bandwidthMbps, profile.rttMs(), payloadBytes, at.calibration());
        LinkProfile bare = at.withCalibration(LinkCalibration.PAYLOAD_ONLY);
        payloadOnlyNanos = LinkDelay.transferNanos(bare, payloadBytes, 0) + LinkDelay.transferNanos(bare, 1, 0);
        boolean packet = delay.equals("packet");
        long burst = LinkValidation.tbfBurstBytes(profile.calibration()); // the bucket the model charges
        emulation = NetworkEmulation.create(List.of(new NetworkEmulation.TierSpec("mobile", 0, 0),
                new NetworkEmulation.TierSpec("edge", 0, 0)), packet ? List.of() : List.of(new NetworkEmulation.LinkSpec("mobile", "edge",
                bandwidthMbps, 0, burst)), "reno");
        NetworkEmulation.Link packetLink = packet
                ? emulation.addPacketLink(new NetworkEmulation.LinkSpec("mobile", "edge", bandwidthMbps, profile.rttMs(), burst)) : null;
        Process sink = emulation.start("edge", probe("sink", Integer.toString(PORT)), ProcessBuilder.Redirect.PIPE);
        String ready = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (ready == null || !ready.startsWith("sink ready")) {
            throw new IllegalStateException("the sink in " + emulation.namespace("edge") + " did not start (printed " + ready + ")");
        }
        // stream: a veth link without round trip of its own, the relay in front of the sink adds it
        InetSocketAddress server = packet ? new InetSocketAddress(packetLink.toAddress(), PORT)
                : profile.rttMs() == 0 ? emulation.reach("mobile", "edge", PORT)
                : emulation.startStreamDelayLine("edge", emulation.address("edge", "mobile"), PORT, profile.rttMs() / 2);
        driver = emulation.start("mobile", probe("driver"), ProcessBuilder.Redirect.PIPE);
        fromDriver = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
        toDriver = new OutputStreamWriter(driver.getOutputStream(), StandardCharsets.UTF_8);
        line = server.getHostString() + " " + server.getPort() + " " + payloadBytes + " 1"
                + (connection.equals(LinkCalibration.NEW) ? " new-connection" : "") + "\n";
    }

    private static List<String> probe(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), LinkProbe.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (emulation != null) {
            emulation.close(); // stops the sink, the driver and the delay line, removes the namespaces
        }
    }

    @Benchmark
    public long transfer(TransferNanos counters) throws IOException {
        toDriver.write(line);
        toDriver.flush();
        long nanos = Long.parseLong(read());
        if (!read().equals("end")) {
            throw new IllegalStateException("the sender in " + emulation.namespace("mobile") + " answered out of turn");
        }
        counters.transferNanos += nanos;
        counters.modelNanos += modelNanos;
        counters.payloadOnlyNanos += payloadOnlyNanos;
        counters.transfers++;
        return nanos;
    }

    private String read() throws IOException {
        String s = fromDriver.readLine();
        if (s == null) {
            throw new IllegalStateException("the sender in " + emulation.namespace("mobile") + " stopped while sending "
                    + payloadBytes + " bytes at " + bandwidthMbps + " Mbit/s");
        }
        return s.strip();
    }

    /** The sender's timing and the model's predictions, summed: divide by {@code transfers} for per-transfer figures. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class TransferNanos {
        public long transferNanos;
        public long modelNanos;
        public long payloadOnlyNanos;
        public long transfers;
    }
}
