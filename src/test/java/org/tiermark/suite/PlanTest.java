package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.Targets;

class PlanTest {
    static final Path HOME = Path.of(System.getProperty("tiermark.home", "."));
    final Suite suite = Suite.load(HOME);
    final Targets targets = Targets.load(HOME);

    private static final java.util.regex.Pattern WHITE_BOX_TARGET = java.util.regex.Pattern.compile(
            "^(dsptq|prune-channels|distill)-vs-identity");

    private Plan plan(Matrix.Size size, String params) {
        Matrix m = SuiteRun.matrix(suite, new SuiteRun.Request(HOME.resolve("results"), size, params,
                JmhSettings.defaults(size), "", true, false, ""));
        return Plan.of(suite, m, targets);
    }

    private static List<Plan.Group> of(Plan p, String benchmark) {
        return p.groups().stream().filter(g -> g.benchmark().equals(benchmark)).toList();
    }

    @Test
    void targetsArePlannedAtTheirParamsBesideTheMatrixCells() {
        Plan p = plan(Matrix.Size.DEFAULT, "model=minilm-l6");
        // only the white-box targets are skipped: their models are filtered out here
        assertEquals(List.of(), p.skippedTargets().stream().filter(s -> !WHITE_BOX_TARGET.matcher(s).find()).toList());
        assertEquals(3, p.skippedTargets().size(), p.skippedTargets().toString());
        // the harness target ("*" = each matrix model) joins the per-model run of the two separate sides
        assertEquals(List.of(new Plan.Group("HarnessOverheadBenchmark", List.of("deployment", "rawOrt", "paired"),
                Map.of("model", List.of("minilm-l6")))), of(p, "HarnessOverheadBenchmark"));
        assertEquals(List.of(new Plan.Group("LinkWaitBenchmark", List.of("linkWait"),
                Map.of("waitMicros", List.of("1000", "5000", "20000")))), of(p, "LinkWaitBenchmark"));
        List<Plan.Group> latency = of(p, "ModelLatencyBenchmark");
        assertTrue(latency.contains(new Plan.Group("ModelLatencyBenchmark", List.of("paired"), Map.of("model", List.of("minilm-l6"),
                "operator", List.of("sptq"), "against", List.of("published-int8"), "sequenceLength", List.of("32", "128")))), latency.toString());
        assertTrue(latency.contains(new Plan.Group("ModelLatencyBenchmark", List.of("infer"), Map.of("model", List.of("minilm-l6"),
                "operator", List.of("identity", "sptq", "published-int8"), "sequenceLength", List.of("32", "128")))), latency.toString());
        assertTrue(latency.contains(new Plan.Group("ModelLatencyBenchmark", List.of("infer"), Map.of("model",
                List.of("resnet18-synthetic"), "operator", List.of("identity", "sptq"), "sequenceLength", List.of("0")))));
        // the per-model sptq/identity pair of the generated model is its target: planned once
        assertEquals(1, latency.stream().filter(g -> g.methods().equals(List.of("paired"))
                && g.params().get("model").equals(List.of("resnet18-synthetic"))).count());
        assertEquals(5, latency.size(), latency.toString());
    }

    @Test
    void aTargetWhoseOperatorOrModelIsNotMeasuredIsSkippedWithItsReason() {
        Plan smoke = plan(Matrix.Size.SMOKE, "");
        assertEquals(5, smoke.skippedTargets().size(), smoke.skippedTargets().toString());
        assertTrue(smoke.skippedTargets().stream().allMatch(s -> s.contains("no sptq variant") || s.contains("no distill")
                || s.contains("no prune-channels variant")), smoke.skippedTargets().toString());
        assertEquals(List.of(), of(smoke, "ModelLatencyBenchmark"));
        Plan noMiniLm = plan(Matrix.Size.DEFAULT, "model=bge-spam;operator=identity,sptq");
        assertTrue(noMiniLm.skippedTargets().stream().anyMatch(s -> s.startsWith("sptq-vs-published-int8.minilm")
                && s.contains("minilm-l6/sptq")), noMiniLm.skippedTargets().toString());
    }

    @Test
    void aNewTargetInTheFileIsPlannedWithoutCode(@TempDir Path dir) throws Exception {
        String text = Files.readString(HOME.resolve(Targets.FILE)).replace("\"targets\": [", """
                "targets": [
                    { "id": "link-wait-long", "what": "w", "benchmark": "LinkWaitBenchmark.linkWait",
                      "params": { "waitMicros": ["100000"] }, "measure": { "kind": "waitError", "param": "waitMicros",
                      "relative": 0.02, "absoluteMicros": 50 } },
                    { "id": "elsewhere", "what": "w", "benchmark": "ModelLatencyBenchmark.paired",
                      "params": { "model": ["no-such-model"], "operator": ["sptq"] },
                      "measure": { "kind": "pairedRatio", "numerator": "a", "denominator": "b" }, "max": 1 },""");
        Files.createDirectories(dir.resolve("profiles"));
        Files.writeString(dir.resolve(Targets.FILE), text);
        Targets more = Json.read(dir.resolve(Targets.FILE), Targets.class);
        Matrix m = SuiteRun.matrix(suite, new SuiteRun.Request(dir, Matrix.Size.DEFAULT, "model=minilm-l6",
                JmhSettings.defaults(Matrix.Size.DEFAULT), "", true, false, ""));
        Plan p = Plan.of(suite, m, more);
        assertTrue(p.groups().contains(new Plan.Group("LinkWaitBenchmark", List.of("linkWait"), Map.of("waitMicros", List.of("100000")))));
        assertTrue(p.skippedTargets().stream().anyMatch(s -> s.startsWith("elsewhere: model no-such-model is not in the catalog")),
                p.skippedTargets().toString());
    }

    @Test
    void groupsOfTheSameBenchmarkAndParamsBecomeOneRun() {
        Plan.Group a = new Plan.Group("X", List.of("a"), Map.of("model", List.of("m")));
        Plan.Group b = new Plan.Group("X", List.of("b"), Map.of("model", List.of("m")));
        Plan.Group c = new Plan.Group("X", List.of("a"), Map.of("model", List.of("n")));
        assertEquals(List.of(new Plan.Group("X", List.of("a", "b"), Map.of("model", List.of("m"))), c),
                Plan.coalesce(List.of(a, c, b, a)));
        assertEquals(6, new Plan.Group("X", List.of("a", "b", "c"), Map.of("p", List.of("1", "2"), "q", List.of("3"))).expectedResults());
    }
}
