package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The suite's console: one line per group, failures with their cause and log. */
class ProgressTest {
    @Test
    void oneLinePerGroupAndTheFailureWithItsLog() {
        Plan.Group a = new Plan.Group("DeploymentBenchmark", List.of("request"), Map.of("model", List.of("minilm-spam"),
                "operator", List.of("sptq"), "deployment", List.of("edge", "cloud"), "linkDelay", List.of("simulated")));
        Plan.Group b = new Plan.Group("LinkWaitBenchmark", List.of("linkWait"), Map.of("waitMicros", List.of("1000")));
        SamplePlanner.SamplePlan plan = SamplePlanner.plan(List.of(a, b), JmhSettings.defaults(Matrix.Size.DEFAULT), 30, RequestTimes.none());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        Progress p = new Progress(plan, console);
        p.done(plan.groups().get(0), "01-DeploymentBenchmark-minilm-spam-sptq", 12_000_000_000L, null, Path.of("jmh/01.log"));
        p.done(plan.groups().get(1), "02-LinkWaitBenchmark", 5_000_000_000L, "boom", Path.of("jmh/02.log"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("2 JMH groups, 3 cells, >= 30 samples per cell"), lines.get(0));
        assertTrue(lines.get(1).matches("\\[1/2] ok +12 s  minilm-spam sptq: Deployment request \\(deployment edge,cloud\\)"
                + " \\| 0:\\d\\d elapsed, about .* left"), lines.get(1));
        assertTrue(lines.get(2).startsWith("[2/2] FAILED    5 s  LinkWait linkWait (waitMicros 1000)"), lines.get(2));
        assertTrue(lines.get(2).endsWith("about 0 s left"), lines.get(2));
        assertEquals("        02-LinkWaitBenchmark: boom (see jmh/02.log)", lines.get(3));
    }
}
