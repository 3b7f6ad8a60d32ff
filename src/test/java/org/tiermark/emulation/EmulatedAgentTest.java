package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;

/**
 * The pieces together (Linux, root): {@code tiermark agent} inside the edge namespace and its cgroup, a
 * client inside the mobile namespace, 1 MB each way over a 200 Mbit/s tbf link; the agent's throughput probe over a
 * 50 Mbit/s one.
 */
@EnabledIf("org.tiermark.emulation.NetworkEmulationTest#supported")
class EmulatedAgentTest {
    @TempDir
    Path dir;

    @Test
    void agentInItsNamespaceServesOverTheShapedLink() throws Exception {
        int floats = 256 * 1024; // 1 MiB in, 1 MiB out
        Path model = AgentModels.doubler(dir, floats);
        double mbps = 200;
        String run;
        List<Long> nanos = new ArrayList<>();
        try (NetworkEmulation e = NetworkEmulation.create(List.of(new NetworkEmulation.TierSpec("mobile", 0, 0),
                new NetworkEmulation.TierSpec("edge", 1.0, 1024)), List.of(new NetworkEmulation.LinkSpec("mobile", "edge", mbps)),
                NetworkEmulationTest.congestionControl())) {
            run = e.runId();
            String edge = e.address("edge", "mobile");
            Process agent = e.start("edge", java("org.tiermark.cli.Tiermark", "agent", "--tier", "edge", "--port", "8000",
                    "--bind", edge, "--threads", "1", "double=" + model), ProcessBuilder.Redirect.PIPE);
            String ready = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(ready != null && ready.startsWith("agent ready edge http://" + edge + ":8000"), "agent printed " + ready);
            Process client = e.start("mobile", java(LinkProbe.class.getName(), "infer", "http://" + edge + ":8000", "double", "4"),
                    ProcessBuilder.Redirect.PIPE);
            BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                nanos.add(Long.parseLong(line.strip()));
            }
            assertTrue(client.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, client.exitValue());
        }
        NetworkEmulationTest.assertNothingLeft(run);
        assertEquals(4, nanos.size());
        double ideal = 2 * Tbf.forBandwidth(mbps, 1500).transferNanos(floats * 4L);
        long best = nanos.subList(1, nanos.size()).stream().mapToLong(Long::longValue).min().orElseThrow();
        System.out.printf("1 MiB each way through the agent over %.0f Mbit/s: %s ns; tbf both ways %.0f ns (x%.2f)%n",
                mbps, nanos, ideal, best / ideal);
        assertTrue(best > ideal * 0.95 && best < ideal * 2, "best " + best / 1e6 + " ms vs both ways " + ideal / 1e6 + " ms");
    }

    @Test
    void theProbeModelGivesTheShapedLinksThroughputOverRestAndGrpc() throws Exception {
        Path model = AgentModels.doubler(dir, 4);
        double mbps = 50;
        String run;
        List<JsonNode> measured = new ArrayList<>();
        try (NetworkEmulation e = NetworkEmulation.create(List.of(new NetworkEmulation.TierSpec("mobile", 0, 0),
                new NetworkEmulation.TierSpec("edge", 1.0, 1024)), List.of(new NetworkEmulation.LinkSpec("mobile", "edge", mbps)),
                NetworkEmulationTest.congestionControl())) {
            run = e.runId();
            String edge = e.address("edge", "mobile");
            Process agent = e.start("edge", java("org.tiermark.cli.Tiermark", "agent", "--tier", "edge", "--port", "8000",
                    "--grpc-port", "8001", "--bind", edge, "--threads", "1", "double=" + model), ProcessBuilder.Redirect.PIPE);
            String ready = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(ready != null && ready.startsWith("agent ready edge"), "agent printed " + ready);
            for (String endpoint : List.of("http://" + edge + ":8000", "grpc://" + edge + ":8001")) {
                Process client = e.start("mobile", java(LinkThroughput.class.getName(), endpoint), ProcessBuilder.Redirect.PIPE);
                String json = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(client.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, client.exitValue(), json);
                measured.add(Json.MAPPER.readTree(json));
            }
        }
        NetworkEmulationTest.assertNothingLeft(run);
        // what tbf lets through of the payload: the 3 MB between the two sizes over its wire time
        Tbf tbf = Tbf.forBandwidth(mbps, 1500);
        double idealMbps = 3_000_000 * 8 / ((tbf.transferNanos(4_000_000) - tbf.transferNanos(1_000_000)) / 1e9) / 1e6;
        for (JsonNode m : measured) {
            System.out.printf("throughput probe over a %.0f Mbit/s tbf link: %s (tbf's payload rate %.2f Mbit/s)%n", mbps, m, idealMbps);
            assertTrue(m.has("throughputMbps"), m.toString());
            double got = m.get("throughputMbps").asDouble();
            assertTrue(got > idealMbps * 0.85 && got < idealMbps * 1.05, got + " Mbit/s against " + idealMbps);
        }
    }

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
