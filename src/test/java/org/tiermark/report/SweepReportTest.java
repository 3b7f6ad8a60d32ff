package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepReportTest {
    @TempDir
    Path dir;

    private static Measurement request(String model, String operator, String deployment, double... ms) {
        return new Measurement("org.tiermark.bench.DeploymentBenchmark.request", "sample", "ms/op",
                Map.of("model", model, "operator", operator, "deployment", deployment, "linkDelay", "simulated"),
                Samples.of(ms), List.of(), Map.of(), "test");
    }

    /** On-device costs the same everywhere; offloading to the edge wins once the link is fast enough. */
    private static Map<Double, List<Measurement>> points() {
        Map<Double, List<Measurement>> m = new TreeMap<>();
        double[][] edge = {{1, 400, 410, 390}, {10, 45, 44, 46}, {100, 9, 9.5, 8.5}};
        for (double[] e : edge) {
            List<Measurement> at = new ArrayList<>();
            at.add(request("cnn", "identity", "mobile", 20, 21, 19));
            at.add(request("cnn", "identity", "edge", e[1], e[2], e[3]));
            at.add(new Measurement("org.tiermark.bench.DeploymentBenchmark.request", "sample", "ms/op",
                    Map.of("model", "cnn", "operator", "identity", "deployment", "edge", "linkDelay", "off"),
                    Samples.of(0.5), List.of(), Map.of(), "test"));
            at.add(new Measurement("org.tiermark.bench.LinkWaitBenchmark.linkWait", "sample", "us/op",
                    Map.of("waitMicros", "100"), Samples.of(100), List.of(), Map.of(), "test"));
            m.put(e[0], at);
        }
        return m;
    }

    @Test
    void tabulatesLatencyAgainstBandwidthAndFindsTheCrossover() {
        SweepReport.Result r = SweepReport.analyseMeasurements("mobile-edge", points(), List.of());
        assertEquals(List.of(1.0, 10.0, 100.0), r.bandwidthsMbps());
        assertEquals(2, r.rows().size(), "DeploymentBenchmark cells only; linkDelay=off and other benchmarks left out");
        SweepReport.Row edge = r.rows().stream().filter(x -> x.deployment().equals("edge")).findFirst().orElseThrow();
        assertEquals(Map.of(1.0, 400.0, 10.0, 45.0, 100.0, 9.0), edge.medianMsByMbps());
        assertEquals(Map.of(1.0, "identity @ mobile", 10.0, "identity @ mobile", 100.0, "identity @ edge"), r.best().get("cnn"));
        assertEquals(List.of(new SweepReport.Crossover("cnn", 10, "identity @ mobile", 100, "identity @ edge")), r.crossovers());
    }

    @Test
    void writesTheTableThePlotAndTheCrossoverAndNamesAMissingPoint() throws Exception {
        Path a = Files.createDirectories(dir.resolve("run-a"));
        Files.copy(Path.of("src/test/resources/golden/run/jmh.json"), a.resolve("jmh.json"));
        Path b = Files.createDirectories(dir.resolve("run-b"));
        List<String> problems = SweepReport.write(dir, "mobile-edge", Map.of(1.0, a, 200.0, b));
        String md = Files.readString(dir.resolve(SweepReport.FILE));
        assertTrue(md.contains("| model | operator | deployment | 1 Mbit/s | 200 Mbit/s |"), md);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("200.0 Mbit/s:") && p.contains("not found")), problems.toString());
        assertTrue(md.contains("## Problems"), md);
        assertTrue(Files.isRegularFile(dir.resolve(SweepReport.JSON_FILE)));
    }
}
