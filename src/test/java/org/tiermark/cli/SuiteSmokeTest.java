package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;

/** Runs the real benchmarks jar path (JMH forks included) on the smoke matrix with minimal iterations. */
class SuiteSmokeTest extends ConsoleCaptured {
    static final String HOME = System.getProperty("tiermark.home", ".");

    @TempDir
    Path results;

    @BeforeAll
    static void shareTheMachine() {
        // a developer may be running JMH elsewhere on this machine; this smoke run only checks the harness
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void smokeRunWritesJmhJsonWithSamplesAndBreakdown() throws Exception {
        int code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(),
                "--matrix", "smoke", "--params", "model=minilm-spam", "--forks", "1", "--warmup-iterations", "0", "--iterations", "1", "--time", "1s",
                "--min-samples", "3", "--include", "DeploymentBenchmark|ColdStartBenchmark|LinkWaitBenchmark"});
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        Path run;
        try (Stream<Path> s = Files.list(results)) {
            List<Path> runs = s.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).toList();
            assertEquals(1, runs.size());
            run = runs.get(0);
        }
        JsonNode jmh = Json.MAPPER.readTree(run.resolve("jmh.json").toFile());
        assertTrue(jmh.isArray());
        Set<String> names = new HashSet<>();
        for (JsonNode b : jmh) {
            names.add(b.get("benchmark").asText());
            JsonNode primary = b.get("primaryMetric");
            assertTrue(primary.get("scorePercentiles").has("99.0"));
            if (b.get("mode").asText().equals("sample")) {
                assertTrue(primary.get("rawDataHistogram").size() > 0, "SampleTime keeps raw samples");
            }
            if (b.get("benchmark").asText().endsWith("DeploymentBenchmark.request")) {
                assertEquals("minilm-spam", b.get("params").get("model").asText(), "smoke: the model --params names");
                assertEquals("edge", b.get("params").get("deployment").asText());
                JsonNode secondary = b.get("secondaryMetrics");
                for (String m : List.of("requests", "computeNanos", "stretchNanos", "transferNanos", "linkBytes")) {
                    assertTrue(secondary.has(m), "breakdown " + m + " recorded in the result");
                }
                assertTrue(secondary.get("requests").get("score").asDouble() > 0);
                assertTrue(secondary.get("transferNanos").get("score").asDouble() > 0);
            }
        }
        assertEquals(Set.of("org.tiermark.bench.DeploymentBenchmark.request", "org.tiermark.bench.LinkWaitBenchmark.linkWait",
                "org.tiermark.bench.ColdStartBenchmark.sessionAndFirstRequest"), names);
        assertEquals(5, jmh.size(), "one DeploymentBenchmark cell, one cold start and three link waits");
        JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
        assertEquals(0, meta.get("failures").size());
        assertEquals("complete", meta.get("status").asText());
        assertTrue(meta.get("finishedUtc").isTextual());
        assertEquals(5, meta.get("results").asInt());
        assertEquals(Files.readString(Path.of(HOME).resolve("profiles/targets.json")), Files.readString(run.resolve("targets.json")));
        assertEquals(Files.readString(Path.of(HOME).resolve("profiles/benchmarks.json")), Files.readString(run.resolve("benchmarks.json")));
        assertEquals(run.getFileName(), Files.readSymbolicLink(results.resolve("latest")), "results/latest points at the run");
        assertTrue(Files.size(run.resolve("report.md")) > 0 && Files.size(run.resolve("report.csv")) > 0, "the report is written");
        assertTrue(Files.size(run.resolve("accuracy.json")) > 0, "accuracy of the measured variant");
        // the console: a few lines around one per group; JMH's own output only in the groups' logs
        List<String> console = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(console.size() <= 10, "a few lines for 3 groups:\n" + String.join("\n", console));
        assertEquals(3, console.stream().filter(l -> l.matches("\\[\\d/3] ok .*elapsed, about .* left")).count(), String.join("\n", console));
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("# JMH version"), "JMH's output stays off the console");
        try (Stream<Path> logs = Files.list(run.resolve("jmh"))) {
            List<Path> all = logs.filter(p -> p.toString().endsWith(".log")).toList();
            assertEquals(3, all.size());
            for (Path log : all) {
                assertTrue(Files.readString(log).contains("# JMH version"), log + " holds the group's JMH output");
            }
        }
        // the minimum of samples holds whatever the time: 3 iterations give at least 3 samples per cell
        for (JsonNode b : jmh) {
            long samples = 0;
            for (JsonNode fork : b.get("primaryMetric").path("rawData")) {
                samples += fork.size();
            }
            if (b.get("mode").asText().equals("sample")) {
                samples = 0;
                for (JsonNode fork : b.get("primaryMetric").get("rawDataHistogram")) {
                    for (JsonNode iteration : fork) {
                        for (JsonNode bin : iteration) {
                            samples += bin.get(1).asLong();
                        }
                    }
                }
            }
            assertTrue(samples >= 3, b.get("benchmark") + " has " + samples + " samples");
        }
        try (Stream<Path> s = Files.list(run.resolve("stages"))) {
            JsonNode stage = Json.MAPPER.readTree(s.findFirst().orElseThrow().toFile());
            assertEquals("edge", stage.get("stages").get(0).get("tier").asText());
            assertFalse(stage.get("hops").isEmpty());
        }
    }

    @Test
    void aFailingBenchmarkDoesNotLoseTheOthers(@TempDir Path home) throws Exception {
        Path real = Path.of(HOME).toAbsolutePath();
        String good = Files.readString(copyHome(home).resolve("models/minilm-l6.json"));
        // passes the file checks, but its tokenizer cannot be loaded: the trial's setup fails in its fork
        Path bogus = Files.writeString(home.resolve("bogus-tokenizer.json"), "{\"not\": \"a tokenizer\"}");
        Files.writeString(home.resolve("models/broken.json"), good.replace("\"minilm-l6\"", "\"broken\"")
                .replace(real.resolve("models/base/all-minilm-l6-v2/all-minilm-l6-v2-tokenizer.json").toString(), bogus.toString()));
        int code = Tiermark.run(new String[] {"suite", "--home", home.toString(), "--results", results.toString(),
                "--params", "deployment=edge;operator=identity", "--skip-accuracy", "--forks", "1", "--warmup-iterations", "0", "--iterations", "1",
                "--time", "1s", "--include", "^DeploymentBenchmark$"});
        assertEquals(1, code, "the build fails on a benchmark error");
        Path run;
        try (Stream<Path> s = Files.list(results)) {
            run = s.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).findFirst().orElseThrow();
        }
        JsonNode jmh = Json.MAPPER.readTree(run.resolve("jmh.json").toFile());
        assertEquals(1, jmh.size(), "the healthy model's result is kept");
        assertEquals("minilm-l6", jmh.get(0).get("params").get("model").asText());
        JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
        JsonNode failures = meta.get("failures");
        assertEquals(1, failures.size());
        assertTrue(failures.get(0).get("group").asText().contains("broken"), failures.toString());
        String cause = failures.get(0).get("cause").asText();
        assertTrue(cause.contains("Exception") && !cause.contains("see the JMH output"), "the cause as the fork printed it: " + cause);
        assertTrue(cause.contains("bogus-tokenizer.json"), cause);
        assertTrue(Files.readString(run.resolve("jmh").resolve(failures.get(0).get("group").asText() + ".log")).contains("<failure>"),
                "the group's console output is kept beside its JSON");
        assertEquals("partial", meta.get("status").asText());
        assertFalse(Files.exists(results.resolve("latest"), LinkOption.NOFOLLOW_LINKS),
                "latest never points at a run that lost a group");
    }

    /** A home folder with the real profiles and minilm-l6 (paths made absolute), for runs that break one thing. */
    static Path copyHome(Path home) throws IOException {
        Path real = Path.of(HOME).toAbsolutePath();
        copyTree(real.resolve("profiles"), home.resolve("profiles"));
        Files.createDirectories(home.resolve("models"));
        Files.writeString(home.resolve("models/minilm-l6.json"), Files.readString(real.resolve("models/minilm-l6.json"))
                .replace("\"base/", "\"" + real.resolve("models/base") + "/")
                .replace("\"../data/", "\"" + real.resolve("data") + "/"));
        return home;
    }

    @Test
    void aRunWhoseOnlyVariantWasSkippedMeasuredNothingAndFails(@TempDir Path dir) throws Exception {
        Path home = copyHome(dir);
        Path descriptor = home.resolve("models/minilm-l6.json");
        Files.writeString(descriptor, Files.readString(descriptor).replace("\"sptq.calibration.samples\": \"100\"",
                "\"sptq.calibration.samples\": \"-3\""));
        int code = Tiermark.run(new String[] {"suite", "--home", home.toString(), "--results", results.toString(),
                "--params", "operator=sptq;deployment=edge", "--skip-accuracy", "--forks", "1", "--iterations", "1"});
        assertEquals(1, code, "a run with no measurement is not a success");
        Path run;
        try (Stream<Path> s = Files.list(results)) {
            run = s.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).findFirst().orElseThrow();
        }
        JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
        assertEquals("nothing-measured", meta.get("status").asText());
        assertEquals(0, meta.get("results").asInt());
        assertEquals("sptq", meta.get("skipped").get(0).get("operator").asText());
        assertFalse(Files.exists(results.resolve("latest"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void whatARunWouldLoadIsCheckedBeforeItsFolderExists(@TempDir Path dir) throws Exception {
        Path home = copyHome(dir.resolve("home"));
        Files.delete(home.resolve("profiles/deployments/edge.json"));
        // the matrix no longer has edge, but the harness benchmark runs on it
        String err = stderrOf(() -> assertEquals(2, Tiermark.run(new String[] {"suite", "--home", home.toString(), "--results",
                results.toString(), "--params", "operator=identity;deployment=cloud", "--include", "HarnessOverheadBenchmark"})));
        assertTrue(err.contains("'edge'") && err.contains("deployments/edge.json"), err);
        err = stderrOf(() -> assertEquals(2, Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(),
                "--matrix", "smoke", "--include", "DeploymentBenchmrk"})));
        assertTrue(err.contains("matches none of the benchmarks"), err);
        Path fast = copyHome(dir.resolve("fast"));
        Path edge = fast.resolve("profiles/tiers/edge.json");
        Files.writeString(edge, Files.readString(edge).replace("\"relativeSpeed\": 0.5", "\"relativeSpeed\": 2.0"));
        err = stderrOf(() -> assertEquals(2, Tiermark.run(new String[] {"suite", "--home", fast.toString(), "--results",
                results.toString(), "--matrix", "smoke", "--params", "model=minilm-l6"})));
        assertTrue(err.contains("edge.json") && err.contains("relativeSpeed"), err);
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        err = stderrOf(() -> assertEquals(2, Tiermark.run(new String[] {"suite", "--home", HOME, "--results", file.toString(),
                "--matrix", "smoke"})));
        assertTrue(err.contains("is a file") && !err.contains("\tat "), err);
        err = stderrOf(() -> assertEquals(2, Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(),
                "--params", "operator=partition;deployment=edge"})));
        assertTrue(err.contains("split deployment"), err);
        assertTrue(results.toFile().list().length == 0, "no run folder was created");
    }

    private static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
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
        code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(),
                "--baseline", results.resolve("no-such-run").toString()});
        assertEquals(2, code, "a missing baseline fails before a 25-minute run, not after it");
        code = Tiermark.run(new String[] {"suite", "--home", HOME, "--bogus", "1"});
        assertEquals(2, code);
        assertEquals(2, Tiermark.run(new String[] {"nonsense"}));
        assertTrue(results.toFile().list().length == 0, "no run folder was created");
    }
}
