package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.emulation.EmulatedTiers;
import org.tiermark.emulation.RemoteTiers;
import org.tiermark.emulation.TierAgent;
import org.tiermark.onnx.Sessions;
import org.tiermark.report.SweepReport;
import org.tiermark.suite.Sweep;

/**
 * The suite over real links: {@code --links emulated} end to end on one split deployment of a tiny trained
 * model (Linux, root: CI), {@code --links remote} against an agent on loopback, and what each refuses before
 * a run folder exists.
 */
class RealLinksSuiteTest extends ConsoleCaptured {
    static final String HOME = SuiteSmokeTest.HOME;
    static final String CELL = "model=resnet-fmnist;operator=partition;deployment=mobile-edge";

    @TempDir
    Path results;

    @BeforeAll
    static void shareTheMachine() {
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void emulatedSmokeRunOnOneSplitDeployment() throws Exception {
        List<String> missing = EmulatedTiers.missing();
        if (!missing.isEmpty()) {
            System.out.println("RealLinksSuiteTest: emulated run skipped, this machine lacks: " + missing);
            Assumptions.abort("emulated tiers need: " + missing);
        }
        long started = System.nanoTime();
        int code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--links", "emulated",
                "--params", CELL, "--include", "^DeploymentBenchmark$", "--skip-accuracy", "--forks", "1",
                "--warmup-iterations", "1", "--warmup-time", "1s", "--iterations", "1", "--time", "2s", "--min-samples", "5"});
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        Path run = onlyRun();
        JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
        assertEquals("emulated", meta.get("links").asText());
        assertEquals("complete", meta.get("status").asText());
        assertTrue(meta.get("linkSetup").get("congestionControl").isTextual(), meta.toString());
        // mobile-edge has a 1 ms round trip: a packet link, tbf at 200 Mbit/s on both ends
        JsonNode planned = meta.get("linkSetup").get("links").get("mobile-edge");
        boolean netem = meta.get("linkSetup").get("roundTripDelay").asText().startsWith("netem");
        assertEquals(netem ? "netem" : "packet", planned.get("delay").asText(), meta.toString());
        assertEquals(200_000_000L, planned.get("tbf").get("rateBitsPerSecond").asLong());
        JsonNode jmh = Json.MAPPER.readTree(run.resolve("jmh.json").toFile());
        assertEquals(1, jmh.size());
        JsonNode cell = jmh.get(0);
        assertEquals("emulated", cell.get("params").get("linkDelay").asText());
        assertEquals(0.0, cell.get("secondaryMetrics").get("transferNanos").get("score").asDouble(), "nothing waited");
        assertTrue(cell.get("secondaryMetrics").get("remoteNanos").get("score").asDouble() > 0, "the tail ran on the edge agent");
        Path emulation;
        try (Stream<Path> s = Files.list(run.resolve("emulation"))) {
            emulation = s.findFirst().orElseThrow();
        }
        JsonNode built = Json.MAPPER.readTree(emulation.toFile());
        String runId = built.get("runId").asText();
        assertEquals(200.0, built.get("links").get(0).get("spec").get("bandwidthMbps").asDouble());
        assertEquals(netem ? "netem" : "packet", built.get("links").get(0).get("delay").asText(), "the trial's link as built");
        assertTrue(built.get("agents").get("edge").asText().startsWith("http://198.18."), built.toString());
        assertTrue(Files.readString(run.resolve("report.md")).contains("links=emulated"), "the report's run header names the links");
        // the fork removed everything it built
        assertFalse(shell("ip", "netns", "list").contains(runId), "namespaces of " + runId + " left");
        assertFalse(shell("ip", "-o", "link", "show").contains("tm" + runId), "interfaces of " + runId + " left");
        assertFalse(Files.exists(Path.of("/run/tiermark", runId + ".owner")));
        assertFalse(shell("ps", "-eo", "args").contains("/run/netns/tiermark-" + runId + "-"), "a packet delay line of " + runId + " left");
        System.out.printf("RealLinksSuiteTest: emulated smoke run %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @Test
    void emulatedSweepShapesTheLinkAtEachPointsBandwidth() throws Exception {
        List<String> missing = EmulatedTiers.missing();
        if (!missing.isEmpty()) {
            System.out.println("RealLinksSuiteTest: emulated sweep skipped, this machine lacks: " + missing);
            Assumptions.abort("emulated tiers need: " + missing);
        }
        long started = System.nanoTime();
        int code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--links", "emulated",
                "--params", CELL, "--include", "^DeploymentBenchmark$", "--skip-accuracy", "--forks", "1",
                "--warmup-iterations", "0", "--iterations", "1", "--time", "1s", "--min-samples", "3",
                "--sweep", "mobile-edge:10,100"});
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        Path sweepDir;
        try (Stream<Path> s = Files.list(results)) {
            sweepDir = s.filter(p -> p.getFileName().toString().startsWith("sweep-")).findFirst().orElseThrow();
        }
        JsonNode sweep = Json.MAPPER.readTree(sweepDir.resolve(Sweep.FILE).toFile());
        Map<String, Double> remoteMs = new LinkedHashMap<>();
        double linkBytes = 0;
        for (String mbps : List.of("10.0", "100.0")) {
            Path run = results.resolve(sweep.get("runs").get(mbps).asText());
            JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
            assertEquals("complete", meta.get("status").asText(), mbps);
            assertEquals("emulated", meta.get("links").asText());
            assertEquals(Double.parseDouble(mbps), meta.get("sweep").get("bandwidthMbps").asDouble());
            Path emulation;
            try (Stream<Path> s = Files.list(run.resolve("emulation"))) {
                emulation = s.findFirst().orElseThrow();
            }
            JsonNode built = Json.MAPPER.readTree(emulation.toFile());
            assertEquals(Double.parseDouble(mbps), built.get("links").get(0).get("spec").get("bandwidthMbps").asDouble(), built.toString());
            // the kernel's own account, read back with tc while the trial ran: the tbf of the link at the point's rate
            String rate = "rate " + (int) Double.parseDouble(mbps) + "Mbit";
            for (String tier : List.of("mobile", "edge")) {
                String qdiscs = built.get("qdiscs").get(tier).toString();
                assertTrue(qdiscs.contains("qdisc tbf") && qdiscs.contains(rate), tier + " at " + mbps + ": " + qdiscs);
            }
            JsonNode secondary = Json.MAPPER.readTree(run.resolve("jmh.json").toFile()).get(0).get("secondaryMetrics");
            double requests = secondary.get("requests").get("score").asDouble();
            remoteMs.put(mbps, secondary.get("remoteNanos").get("score").asDouble() / requests / 1e6);
            linkBytes = secondary.get("linkBytes").get("score").asDouble() / requests;
            assertFalse(shell("ip", "netns", "list").contains(built.get("runId").asText()), "namespaces of the " + mbps + " point left");
        }
        String md = Files.readString(sweepDir.resolve(SweepReport.FILE));
        assertTrue(md.contains("| resnet-fmnist | partition | mobile-edge |"), md);
        assertTrue(md.contains("| 10 Mbit/s | 100 Mbit/s |"), md);
        // the bandwidth reached the measured latency: the intermediate tensor and the answer take 10x longer to cross
        // at 10 than at 100 Mbit/s (payload bits only: the headers add 4.6% more); half of that with room for the load
        double slowerMs = linkBytes * 8 * (1 / 10e6 - 1 / 100e6) * 1e3;
        String measured = String.format("emulated sweep %.1f s; remote call per request %s ms, %.0f bytes crossing: %.1f ms more expected at 10",
                (System.nanoTime() - started) / 1e9, remoteMs, linkBytes, slowerMs);
        System.out.println("RealLinksSuiteTest: " + measured);
        assertTrue(remoteMs.get("10.0") - remoteMs.get("100.0") > slowerMs / 2, measured);
    }

    @Test
    void theLinksMatrixPutsTheValidationTableInTheReport() throws Exception {
        List<String> missing = EmulatedTiers.missing();
        if (!missing.isEmpty()) {
            System.out.println("RealLinksSuiteTest: links matrix skipped, this machine lacks: " + missing);
            Assumptions.abort("emulated links need: " + missing);
        }
        int code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--matrix", "links",
                "--params", "bandwidthMbps=50;payloadBytes=100000;connection=kept", "--skip-accuracy"});
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        Path run = onlyRun();
        JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
        assertEquals("complete", meta.get("status").asText());
        JsonNode jmh = Json.MAPPER.readTree(run.resolve("jmh.json").toFile());
        assertEquals(1, jmh.size());
        assertTrue(jmh.get(0).get("benchmark").asText().endsWith("LinkTransferBenchmark.transfer"));
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("Link-delay model against emulated links"), report);
        assertTrue(report.contains("| mobile-edge | kept | 50"), report);
    }

    @Test
    void remoteRunKeepsTheCellsItCouldMeasureAndNamesTheStageTheServerLacks(@TempDir Path dir) throws Exception {
        Path home = homeWithResnet(dir.resolve("home"));
        Suite suite = Suite.load(home);
        Path tail = suite.variants().ensure("resnet-fmnist", "partition").stages().get(1);
        // the agent serves the partition's tail only: the identity cell on edge finds no stage there
        try (TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge",
                Map.of(RemoteTiers.servedModel("resnet-fmnist", "partition", 1), tail), Sessions.Settings.oneThread()))) {
            Path edge = home.resolve("profiles/tiers/edge.json");
            Files.writeString(edge, Files.readString(edge).replaceFirst("\\{", "{\n  \"endpoint\": \"" + agent.endpoint() + "\","));
            int code = Tiermark.run(new String[] {"suite", "--home", home.toString(), "--results", results.toString(), "--links", "remote",
                    "--params", "model=resnet-fmnist;operator=identity,partition;deployment=edge,mobile-edge", "--include", "^DeploymentBenchmark$",
                    "--skip-accuracy", "--forks", "1", "--warmup-iterations", "0", "--iterations", "1", "--time", "1s", "--min-samples", "3"});
            assertEquals(1, code, "a failed cell fails the run");
            Path run = onlyRun();
            JsonNode meta = Json.MAPPER.readTree(run.resolve("run.json").toFile());
            assertEquals("remote", meta.get("links").asText());
            assertEquals("partial", meta.get("status").asText());
            JsonNode probe = meta.get("linkSetup").get("tiers").get("edge");
            assertEquals(agent.endpoint().toString(), probe.get("endpoint").asText());
            assertTrue(probe.get("roundTripMedianMs").asDouble() > 0);
            assertTrue(probe.get("throughputMbps").asDouble() > 0, "the agent's probe model gave the throughput: " + probe);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("link to tier 'edge' at " + agent.endpoint() + ": round trip"),
                    out.toString(StandardCharsets.UTF_8));
            JsonNode jmh = Json.MAPPER.readTree(run.resolve("jmh.json").toFile());
            assertEquals(1, jmh.size(), "the partition cell is kept: " + jmh);
            assertEquals("partition", jmh.get(0).get("params").get("operator").asText());
            String cause = meta.get("failures").get(0).get("cause").asText();
            assertTrue(cause.contains("tier 'edge'") && cause.contains(agent.endpoint().toString())
                    && cause.contains("resnet-fmnist.identity.stage0"), cause);
        }
    }

    @Test
    void realLinksAreRefusedBeforeARunFolderExists(@TempDir Path dir) throws Exception {
        System.setProperty(EmulatedTiers.TRANSPORT_PROPERTY, "pigeon");
        int code;
        try {
            code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--links", "emulated",
                    "--params", "model=resnet-fmnist;operator=partition;deployment=edge-cloud", "--include", "^DeploymentBenchmark$"});
        } finally {
            System.clearProperty(EmulatedTiers.TRANSPORT_PROPERTY);
        }
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("tiermark.transport='pigeon': valid: rest, grpc"),
                err.toString(StandardCharsets.UTF_8));
        if (EmulatedTiers.missing().isEmpty()) {
            System.setProperty(EmulatedTiers.CONGESTION_CONTROL_PROPERTY, "pigeon");
            try {
                code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--links", "emulated",
                        "--params", CELL, "--include", "^DeploymentBenchmark$"});
                assertEquals(2, code);
                assertTrue(err.toString(StandardCharsets.UTF_8).contains("congestionControl='pigeon': not a TCP congestion control"),
                        err.toString(StandardCharsets.UTF_8));
                code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--links", "emulated",
                        "--params", CELL, "--include", "^DeploymentBenchmark$", "--sweep", "mobile-edge:1,10"});
                assertEquals(2, code, "a sweep refuses it before its folder exists");
            } finally {
                System.clearProperty(EmulatedTiers.CONGESTION_CONTROL_PROPERTY);
            }
        }
        code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--links", "wires"});
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("valid: simulated, emulated, remote"));
        code = Tiermark.run(new String[] {"suite", "--home", HOME, "--results", results.toString(), "--links", "remote",
                "--params", CELL, "--include", "^DeploymentBenchmark$"});
        assertEquals(2, code, "the project's edge profile names no endpoint");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("tiers/edge.json"), err.toString(StandardCharsets.UTF_8));
        Path home = homeWithResnet(dir.resolve("home"));
        Path edge = home.resolve("profiles/tiers/edge.json");
        Files.writeString(edge, Files.readString(edge).replaceFirst("\\{", "{\n  \"endpoint\": \"http://127.0.0.1:9\","));
        code = Tiermark.run(new String[] {"suite", "--home", home.toString(), "--results", results.toString(), "--links", "remote",
                "--params", CELL, "--include", "^DeploymentBenchmark$"});
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("tier 'edge' at http://127.0.0.1:9"), err.toString(StandardCharsets.UTF_8));
        Files.writeString(edge, Files.readString(edge).replace("http://127.0.0.1:9", "grpc://127.0.0.1:9"));
        code = Tiermark.run(new String[] {"suite", "--home", home.toString(), "--results", results.toString(), "--links", "remote",
                "--params", CELL, "--include", "^DeploymentBenchmark$"});
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("tier 'edge' at grpc://127.0.0.1:9 is unreachable"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(0, results.toFile().list().length, "no run folder was created");
    }

    /** A home with the real profiles and resnet-fmnist (paths made absolute). */
    private static Path homeWithResnet(Path home) throws Exception {
        Path real = Path.of(HOME).toAbsolutePath();
        SuiteSmokeTest.copyTree(real.resolve("profiles"), home.resolve("profiles"));
        Files.createDirectories(home.resolve("models"));
        Files.writeString(home.resolve("models/resnet-fmnist.json"), Files.readString(real.resolve("models/resnet-fmnist.json"))
                .replace("\"trained/", "\"" + real.resolve("models/trained") + "/")
                .replace("\"../data/", "\"" + real.resolve("data") + "/"));
        return home;
    }

    private Path onlyRun() throws Exception {
        try (Stream<Path> s = Files.list(results)) {
            List<Path> runs = s.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).toList();
            assertEquals(1, runs.size());
            return runs.get(0);
        }
    }

    private static String shell(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
