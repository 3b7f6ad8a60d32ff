package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Benchmarks;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.Targets;

/**
 * Benchmarks are data: editing {@code benchmarks.json} in a copy of the home changes the plan with
 * no code change, and a benchmark this build does not have is refused with the valid ones listed.
 */
class BenchmarksAsDataTest {
    static final Path HOME = PlanTest.HOME;
    final Suite suite = Suite.load(HOME);
    final Targets targets = Targets.load(HOME);

    private Matrix matrix(String params) {
        return SuiteRun.matrix(suite, new SuiteRun.Request(HOME.resolve("results"), Matrix.Size.DEFAULT, params,
                JmhSettings.defaults(Matrix.Size.DEFAULT), "", true, false, ""));
    }

    /** The home's benchmarks.json with {@code from} replaced by {@code to}, loaded from a copy in {@code dir}. */
    private static Benchmarks edited(Path dir, String from, String to) throws Exception {
        String text = Files.readString(HOME.resolve(Benchmarks.FILE));
        assertTrue(text.contains(from), from);
        Files.createDirectories(dir.resolve("profiles"));
        Files.writeString(dir.resolve(Benchmarks.FILE), text.replace(from, to));
        return Benchmarks.load(dir);
    }

    @Test
    void theBuildListsItsBenchmarks() {
        // if the JMH list were missing, typos could not be refused: this test guards the check itself
        assertTrue(JmhBenchmarks.available().containsAll(List.of("DeploymentBenchmark.request",
                "ColdStartBenchmark.sessionAndFirstRequest", "ModelLatencyBenchmark.paired")), JmhBenchmarks.available().toString());
    }

    @Test
    void renamingAMethodInTheFileChangesThePlan(@TempDir Path dir) throws Exception {
        Matrix m = matrix("model=minilm-spam");
        Plan before = Plan.of(suite, m, targets, Benchmarks.load(HOME));
        Plan.Group paired = new Plan.Group("ModelLatencyBenchmark", List.of("paired"), Map.of("model", List.of("minilm-spam"),
                "operator", List.of("sptq"), "against", List.of("identity"), "sequenceLength", List.of("128")));
        assertTrue(before.groups().contains(paired), before.groups().toString());

        Plan after = Plan.of(suite, m, targets, edited(dir, "\"method\": \"paired\"", "\"method\": \"infer\""));
        assertNotEquals(before.groups(), after.groups());
        assertFalse(after.groups().contains(paired));
        assertTrue(after.groups().contains(new Plan.Group("ModelLatencyBenchmark", List.of("infer"), Map.of("model",
                List.of("minilm-spam"), "operator", List.of("sptq"), "against", List.of("identity"), "sequenceLength", List.of("128")))),
                after.groups().toString());
    }

    @Test
    void coldStartCellsFollowTheDeclaration(@TempDir Path dir) throws Exception {
        Matrix m = matrix("model=minilm-spam");
        Plan wider = Plan.of(suite, m, targets, edited(dir, "\"deployment\": [\"edge\"]", "\"deployment\": [\"edge\", \"mobile\"]"));
        List<Plan.Group> cold = wider.groups().stream().filter(g -> g.benchmark().equals("ColdStartBenchmark")).toList();
        assertEquals(1, cold.size());
        assertEquals(List.of("edge", "mobile"), cold.get(0).params().get("deployment"));
        assertTrue(cold.get(0).singleShot());
    }

    @Test
    void aTypoIsRefusedWithTheValidBenchmarks(@TempDir Path dir) throws Exception {
        Benchmarks typo = edited(dir, "\"method\": \"request\"", "\"method\": \"reqest\"");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Plan.of(suite, matrix(""), targets, typo));
        assertTrue(e.getMessage().contains("DeploymentBenchmark.reqest"), e.getMessage());
        assertTrue(e.getMessage().contains("benchmarks.json"), e.getMessage());
        assertTrue(e.getMessage().contains("valid: ") && e.getMessage().contains("DeploymentBenchmark.request")
                && e.getMessage().contains("LinkWaitBenchmark.linkWait"), e.getMessage());

        Benchmarks headline = edited(dir, "\"headline\": \"DeploymentBenchmark.request\"", "\"headline\": \"Deployment.request\"");
        e = assertThrows(InvalidInputException.class, () -> Plan.of(suite, matrix(""), targets, headline));
        assertTrue(e.getMessage().contains("'Deployment.request'"), e.getMessage());
    }

    @Test
    void aBadFieldIsNamed(@TempDir Path dir) throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> edited(dir, "\"per\": \"model\"", "\"per\": \"tier\""));
        assertTrue(e.getMessage().contains("benchmarks.json") && e.getMessage().contains("per"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> edited(dir, "\"everyCellIn\": [\"full\"]", "\"everyCellIn\": [\"huge\"]"));
        assertTrue(e.getMessage().contains("everyCellIn") && e.getMessage().contains("huge"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> edited(dir, "\"only\": { \"operator\"", "\"only\": { \"tier\""));
        assertTrue(e.getMessage().contains("only") && e.getMessage().contains("'tier'"), e.getMessage());
    }
}
