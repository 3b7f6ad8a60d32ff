package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;

/** Runs the real benchmarks jar path (JMH forks included) on the smoke matrix with minimal iterations. */
class SuiteSmokeTest {
    static final String HOME = System.getProperty("tiermark.home", ".");

    @TempDir
    Path results;

    @Test
    void smokeRunWritesJmhJsonWithSamplesAndBreakdown() throws Exception {
        int code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(),
                "--matrix", "smoke", "--forks", "1", "--warmup-iterations", "0", "--iterations", "1", "--time", "1s",
                "--include", "DeploymentBenchmark|LinkWaitBenchmark"});
        assertEquals(0, code);
        Path run;
        try (Stream<Path> s = Files.list(results)) {
            List<Path> runs = s.filter(Files::isDirectory).toList();
            assertEquals(1, runs.size());
            run = runs.get(0);
        }
        JsonNode jmh = Json.MAPPER.readTree(run.resolve("jmh.json").toFile());
        assertTrue(jmh.isArray());
        Set<String> names = new HashSet<>();
        for (JsonNode b : jmh) {
            names.add(b.get("benchmark").asText());
            JsonNode primary = b.get("primaryMetric");
            assertTrue(primary.get("rawDataHistogram").size() > 0, "SampleTime keeps raw samples");
            assertTrue(primary.get("scorePercentiles").has("99.0"));
            if (b.get("benchmark").asText().endsWith("DeploymentBenchmark.request")) {
                assertEquals("minilm-l6", b.get("params").get("model").asText());
                assertEquals("edge", b.get("params").get("deployment").asText());
                JsonNode secondary = b.get("secondaryMetrics");
                for (String m : List.of("requests", "computeNanos", "stretchNanos", "transferNanos", "linkBytes")) {
                    assertTrue(secondary.has(m), "breakdown " + m + " recorded in the result");
                }
                assertTrue(secondary.get("requests").get("score").asDouble() > 0);
                assertTrue(secondary.get("transferNanos").get("score").asDouble() > 0);
            }
        }
        assertEquals(Set.of("org.tiermark.bench.DeploymentBenchmark.request", "org.tiermark.bench.LinkWaitBenchmark.linkWait"), names);
        assertEquals(4, jmh.size(), "one DeploymentBenchmark cell and three link waits");
        JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
        assertEquals(0, meta.get("failures").size());
        try (Stream<Path> s = Files.list(run.resolve("stages"))) {
            JsonNode stage = Json.MAPPER.readTree(s.findFirst().orElseThrow().toFile());
            assertEquals("edge", stage.get("stages").get(0).get("tier").asText());
            assertFalse(stage.get("hops").isEmpty());
        }
    }

    @Test
    void badParamsFailBeforeAnythingIsMeasured() {
        int code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(),
                "--params", "deployment=moon"});
        assertEquals(2, code);
        code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--params", "tier=edge"});
        assertEquals(2, code);
        code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--time", "soon"});
        assertEquals(2, code);
        code = Tiermark.run(new String[] {"suite", "--home", HOME, "--bogus", "1"});
        assertEquals(2, code);
        assertEquals(2, Tiermark.run(new String[] {"nonsense"}));
        assertTrue(results.toFile().list().length == 0, "no run folder was created");
    }
}
