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
import org.tiermark.tier.LinkProfile;
import org.tiermark.tier.Profiles;

/** A bandwidth sweep through the real suite (JMH forks included) on the smoke matrix of the small text model. */
class SweepSmokeTest extends ConsoleCaptured {
    @TempDir
    Path results;

    @BeforeAll
    static void shareTheMachine() {
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void eachBandwidthIsARunOfItsOwnWhoseSmallMessagesCrossWithinTheBucket() throws Exception {
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
        LinkProfile link = Profiles.load(Path.of(SuiteSmokeTest.HOME).resolve("profiles")).links().get("mobile-edge");
        double rttMs = link.rttMs();
        for (String mbps : List.of("1.0", "200.0")) {
            Path run = results.resolve(sweep.get("runs").get(mbps).asText());
            JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
            assertEquals("complete", meta.get("status").asText());
            assertEquals(Double.parseDouble(mbps), meta.get("sweep").get("bandwidthMbps").asDouble());
            assertEquals(sweepDir.getFileName().toString(), meta.get("sweep").get("id").asText());
            assertTrue(meta.get("jmh").get("jvmArgs").asText().contains("-D" + BandwidthOverride.PROPERTY + "=mobile-edge:"));
            JsonNode secondary = Json.MAPPER.readTree(run.resolve("jmh.json").toFile()).get(0).get("secondaryMetrics");
            double requests = secondary.get("requests").get("score").asDouble();
            double transferMs = secondary.get("transferNanos").get("score").asDouble() / requests / 1e6;
            double bytes = secondary.get("linkBytes").get("score").asDouble() / requests;
            // the text out and the answer back, each a message of one segment with 66 header bytes: each fits the link's
            // shaper bucket, which refills between requests (its direction idles while the other tiers compute), so both
            // cross at line rate at every bandwidth (docs/emulation.md, "The shaper's bucket"): the round trip and each
            // message's socket cost; without the bucket they would take their wire bits over the point's bandwidth
            assertTrue(bytes + 2 * LinkCalibration.FRAME_HEADER_BYTES <= link.calibration().burstBytes(), bytes + " bytes per request");
            double expectedMs = rttMs + 2 * link.calibration().messageOverheadMs();
            assertEquals(expectedMs, transferMs, expectedMs * 0.05, mbps + " Mbit/s: " + bytes + " bytes per request");
            double withoutBucketMs = expectedMs + (bytes + 2 * LinkCalibration.FRAME_HEADER_BYTES) * 8 / (Double.parseDouble(mbps) * 1e6) * 1e3;
            assertTrue(mbps.equals("200.0") || transferMs < withoutBucketMs * 0.5, "the bucket's credit shows at 1 Mbit/s: " + transferMs);
        }
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
        assertEquals(2, Tiermark.run(new String[] {"suite", "--home", SuiteSmokeTest.HOME, "--results", results.toString(), "--matrix",
                "smoke", "--links", "remote", "--sweep", "mobile-edge:1,10"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--sweep with --links remote"), err.toString(StandardCharsets.UTF_8));
        try (Stream<Path> s = Files.list(results)) {
            assertEquals(0, s.count(), "nothing created");
        }
    }
}
