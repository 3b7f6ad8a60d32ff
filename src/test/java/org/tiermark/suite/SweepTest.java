package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.tier.BandwidthOverride;
import org.tiermark.tier.Profiles;

class SweepTest {
    static final Path SHIPPED = Path.of(System.getProperty("tiermark.home", ".")).resolve("profiles");
    static final Profiles PROFILES = Profiles.load(SHIPPED);

    @Test
    void parsesALinkAndItsBandwidths() {
        Sweep s = Sweep.parse("mobile-edge:1,10, 50,100,150,200", PROFILES);
        assertEquals("mobile-edge", s.link());
        assertEquals(List.of(1.0, 10.0, 50.0, 100.0, 150.0, 200.0), s.bandwidthsMbps());
        assertEquals(List.of(0.5, 2.5), Sweep.parse("edge-cloud:0.5,2.5", PROFILES).bandwidthsMbps());
    }

    @Test
    void badSweepsAreRefusedNamingWhatIsWrong() {
        assertRefused("wan:1,10", "unknown link 'wan'", "mobile-edge");
        assertRefused("mobile-edge", "not LINK:MBPS");
        assertRefused("mobile-edge:", "not LINK:MBPS");
        assertRefused("mobile-edge:1,fast", "'fast' is not a number");
        assertRefused("mobile-edge:1,-5", "-5 must be a positive number");
        assertRefused("mobile-edge:0", "0 must be a positive number");
        assertRefused("mobile-edge:10,10", "10 is given twice");
    }

    private static void assertRefused(String spec, String... expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Sweep.parse(spec, PROFILES));
        for (String x : expected) {
            assertTrue(e.getMessage().contains(x), e.getMessage());
        }
    }

    @Test
    void aPointsRequestRecordsThePointAndTellsTheForksTheBandwidth() {
        JmhSettings jmh = new JmhSettings(1, 0, "1s", 1, "1s", "-Xmx1g", "", 3);
        SuiteRun.Request r = new SuiteRun.Request(Path.of("results"), Matrix.Size.SMOKE, "model=minilm-spam", jmh, "", true, false, "");
        Sweep.Point p = new Sweep.Point("sweep-x", "mobile-edge", 50, List.of(1.0, 50.0), 200);
        SuiteRun.Request point = Sweep.pointRequest(r, p);
        assertEquals(p, point.sweep());
        assertEquals("-Xmx1g -D" + BandwidthOverride.PROPERTY + "=mobile-edge:50.0", point.jmh().jvmArgs());
        assertEquals(r.params(), point.params());
        assertEquals(null, r.sweep(), "a request outside a sweep records none");
    }

    @Test
    void aSweepsPointsAreNoPriorForRequestTimes(@TempDir Path home) throws Exception {
        Path results = Files.createDirectories(home.resolve("results"));
        write(results.resolve("20261130-050000-vm"), 5, null);
        write(results.resolve("20261130-060000-vm"), 50, "{\"sweep\": {\"id\": \"sweep-x\", \"link\": \"mobile-edge\", \"bandwidthMbps\": 1}}");
        RequestTimes prior = RequestTimes.find(home, results, "");
        assertEquals(5, prior.meanMs("DeploymentBenchmark", "request", Map.of("model", "m")).getAsDouble(), 1e-9,
                "the newer run is a sweep point at 1 Mbit/s: the older, ordinary run predicts");
    }

    private static void write(Path run, double ms, String runJson) throws Exception {
        Files.createDirectories(run);
        Files.writeString(run.resolve("jmh.json"), "[{\"benchmark\": \"org.tiermark.bench.DeploymentBenchmark.request\", "
                + "\"params\": {\"model\": \"m\"}, \"primaryMetric\": {\"score\": " + ms + ", \"scoreUnit\": \"ms/op\"}}]");
        if (runJson != null) {
            Files.writeString(run.resolve(RunRecord.FILE), runJson);
        }
    }

    @Test
    void profilesLoadedUnderAnOverrideSeeTheLinkAtItsBandwidth() {
        System.setProperty(BandwidthOverride.PROPERTY, "mobile-edge:12.5");
        try {
            Profiles p = Profiles.load(SHIPPED);
            assertEquals(12.5, p.links().get("mobile-edge").bandwidthMbps());
            assertEquals(PROFILES.links().get("mobile-edge").rttMs(), p.links().get("mobile-edge").rttMs());
            assertEquals(PROFILES.links().get("edge-cloud"), p.links().get("edge-cloud"), "the other links unchanged");
            System.setProperty(BandwidthOverride.PROPERTY, "wan:3");
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Profiles.load(SHIPPED));
            assertTrue(e.getMessage().contains("unknown link 'wan'"), e.getMessage());
            System.setProperty(BandwidthOverride.PROPERTY, "mobile-edge:-1");
            e = assertThrows(InvalidInputException.class, () -> Profiles.load(SHIPPED));
            assertTrue(e.getMessage().contains("must be a positive number"), e.getMessage());
        } finally {
            System.clearProperty(BandwidthOverride.PROPERTY);
        }
    }
}
