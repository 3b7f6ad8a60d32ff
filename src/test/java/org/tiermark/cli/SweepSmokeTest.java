package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;
import org.tiermark.report.SweepReport;
import org.tiermark.suite.Sweep;
import org.tiermark.tier.BandwidthOverride;
import org.tiermark.tier.LinkCalibration;

/** A bandwidth sweep through the real suite (JMH forks included) on the smoke matrix of the small text model. */
class SweepSmokeTest extends ConsoleCaptured {
    @TempDir
    Path results;

    @BeforeAll
    static void shareTheMachine() {
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void eachBandwidthIsARunOfItsOwnWhoseLinkTransfersFollowTheBandwidth() throws Exception {
        int code = Tiermark.run(new String[] {"suite", "--home", SuiteSmokeTest.HOME, "--results", results.toString(),
                "--matrix", "smoke", "--params", "model=minilm-spam", "--forks", "1", "--warmup-iterations", "0", "--iterations", "1",
                "--time", "1s", "--min-samples", "3", "--include", "DeploymentBenchmark", "--skip-accuracy",
                "--sweep", "mobile-edge:1,200"});
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(System.getProperty(BandwidthOverride.PROPERTY) == null, "the sweep leaves this JVM's profiles as they were");
        Path sweepDir;
        try (Stream<Path> s = Files.list(results)) {
            sweepDir = s.filter(p -> p.getFileName().toString().startsWith("sweep-")).findFirst().orElseThrow();
        }
        JsonNode sweep = Json.MAPPER.readTree(sweepDir.resolve(Sweep.FILE).toFile());
        assertEquals("mobile-edge", sweep.get("link").asText());
        double[] transferMsPerRequest = new double[2];
        double[] bytesPerRequest = new double[2];
        List<String> bandwidths = List.of("1.0", "200.0");
        for (int i = 0; i < 2; i++) {
            Path run = results.resolve(sweep.get("runs").get(bandwidths.get(i)).asText());
            JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
            assertEquals("complete", meta.get("status").asText());
            assertEquals(Double.parseDouble(bandwidths.get(i)), meta.get("sweep").get("bandwidthMbps").asDouble());
            assertEquals(sweepDir.getFileName().toString(), meta.get("sweep").get("id").asText());
            assertTrue(meta.get("jmh").get("jvmArgs").asText().contains("-D" + BandwidthOverride.PROPERTY + "=mobile-edge:"));
            JsonNode request = Json.MAPPER.readTree(run.resolve("jmh.json").toFile()).get(0);
            JsonNode secondary = request.get("secondaryMetrics");
            double requests = secondary.get("requests").get("score").asDouble();
            transferMsPerRequest[i] = secondary.get("transferNanos").get("score").asDouble() / requests / 1e6;
            bytesPerRequest[i] = secondary.get("linkBytes").get("score").asDouble() / requests;
        }
        assertEquals(bytesPerRequest[0], bytesPerRequest[1], "the same messages at both bandwidths");
        // the forks saw the link at each point's bandwidth: the transfer time grows by the wire bits' time difference
        // (payload plus 66 header bytes per segment; request and answer are at least one segment each)
        double bits = 8 * (bytesPerRequest[0] + 2 * LinkCalibration.FRAME_HEADER_BYTES);
        double expectedMs = bits / 1e6 * 1e3 - bits / 200e6 * 1e3;
        double measuredMs = transferMsPerRequest[0] - transferMsPerRequest[1];
        assertEquals(expectedMs, measuredMs, expectedMs * 0.05, "1 Mbit/s against 200 Mbit/s: " + measuredMs + " ms more per request");
        String md = Files.readString(sweepDir.resolve(SweepReport.FILE));
        assertTrue(md.contains("| minilm-spam | identity | edge |"), md);
        assertTrue(md.contains("| 1 Mbit/s | 200 Mbit/s |"), md);
        assertTrue(Files.size(sweepDir.resolve("sweep-minilm-spam.png")) > 0);
    }

    @Test
    void aBadSweepIsRefusedBeforeAnythingIsCreated() throws Exception {
        String[] args = {"suite", "--home", SuiteSmokeTest.HOME, "--results", results.toString(), "--matrix", "smoke",
                "--sweep", "mobile-edge:1,0"};
        assertEquals(2, Tiermark.run(args));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("bandwidth 0 must be a positive number"), err.toString(StandardCharsets.UTF_8));
        args[args.length - 1] = "wlan:1,10";
        assertEquals(2, Tiermark.run(args));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown link 'wlan'"), err.toString(StandardCharsets.UTF_8));
        try (Stream<Path> s = Files.list(results)) {
            assertEquals(0, s.count(), "nothing created");
        }
    }
}
