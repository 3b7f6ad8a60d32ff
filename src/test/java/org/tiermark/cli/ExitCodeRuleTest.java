package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;

/**
 * One exit-code rule for {@code report}, {@code compare} and their inputs (0 ok, 1 gate failed, 2 bad
 * or missing input, messages on stderr), and a gate that never passes on nothing (issue 11).
 */
class ExitCodeRuleTest extends ConsoleCaptured {
    static final Path JMH = Path.of("src/test/resources/jmh");
    static final String A = JMH.resolve("linkwait-a.json").toString();

    /** {@code report A --out <fresh folder> --no-plots} plus {@code more}. */
    private int report(Path tmp, String... more) {
        List<String> args = new ArrayList<>(List.of("report", A, "--out", tmp.resolve("out-" + System.nanoTime()).toString(), "--no-plots"));
        args.addAll(List.of(more));
        return Tiermark.run(args.toArray(String[]::new));
    }

    @Test
    void anEmptyBaselineFolderIsBadInput(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(2, report(tmp, "--baseline", empty.toString()));
        assertTrue(err.toString().contains("holds no measurement"), err.toString());
        assertFalse(out.toString().contains("passed"), out.toString());
    }

    @Test
    void aBaselineThatIsNotJmhJsonIsBadInput(@TempDir Path tmp) throws Exception {
        Path pkg = Files.writeString(tmp.resolve("package.json"), "{\"name\": \"x\", \"version\": \"1.0.0\"}");
        assertEquals(2, report(tmp, "--baseline", pkg.toString()));
        assertTrue(err.toString().contains("regression gate: the baseline " + pkg + " holds no measurement"), err.toString());
    }

    @Test
    void theFolderOfAKilledRunIsBadInput(@TempDir Path tmp) throws Exception {
        // a run killed during its first fork: run.json written at the start, no JMH JSON yet
        Path killed = Files.createDirectories(tmp.resolve("20261125-170000-host"));
        Files.writeString(killed.resolve("run.json"), "{\"schema\": \"tiermark-run/1\", \"startedUtc\": \"2026-11-25T17:00:00Z\"}");
        Files.createDirectories(killed.resolve("jmh"));
        assertEquals(2, report(tmp, "--baseline", killed.toString()));
        assertTrue(err.toString().contains("nothing was compared"), err.toString());
    }

    @Test
    void aBaselineOfOtherBenchmarksComparesNothingAndFails(@TempDir Path tmp) {
        // run-small measured DeploymentBenchmark, HarnessOverheadBenchmark and LinkWaitBenchmark at other params
        assertEquals(1, Tiermark.run(new String[] {"report", JMH.resolve("run-small/jmh.json").toString(), "--out",
                tmp.resolve("o").toString(), "--no-plots", "--baseline", JMH.resolve("gate/aa3-a.json").toString()}));
        assertTrue(err.toString().contains("regression gate failed: none of the"), err.toString());
        assertTrue(err.toString().contains("nothing was compared"), err.toString());
    }

    @Test
    void aPartialBaselineListsTheCellsAndRequireAllMakesItFatal(@TempDir Path tmp) throws Exception {
        // a baseline holding only the first of linkwait-a's two benchmarks
        String text = Files.readString(JMH.resolve("linkwait-a.json")).trim();
        Path half = tmp.resolve("half.json");
        JsonNode all = Json.MAPPER.readTree(text);
        Files.writeString(half, "[" + all.get(0).toString() + "]");
        assertEquals(0, report(tmp, "--baseline", half.toString()));
        assertTrue(err.toString().contains("1 of 2 benchmarks have no baseline"), err.toString());
        assertTrue(out.toString().contains("| no baseline |"), out.toString());
        assertEquals(1, report(tmp, "--baseline", half.toString(), "--require-all"));
        assertTrue(err.toString().contains("--require-all is set"), err.toString());
    }

    @Test
    void aMissingOrForeignAccuracyFileIsBadInput(@TempDir Path tmp) throws Exception {
        assertEquals(2, report(tmp, "--accuracy", tmp.resolve("nope.json").toString()));
        assertTrue(err.toString().contains("--accuracy " + tmp.resolve("nope.json") + ": no such file"), err.toString());
        Path pkg = Files.writeString(tmp.resolve("package.json"), "{\"name\": \"x\"}");
        assertEquals(2, report(tmp, "--accuracy", pkg.toString()));
        assertTrue(err.toString().contains("not an accuracy file"), err.toString());
    }

    @Test
    void aMissingTargetsFileIsBadInput(@TempDir Path tmp) {
        assertEquals(2, report(tmp, "--targets", tmp.resolve("nope.json").toString()));
        assertTrue(err.toString().contains("--targets"), err.toString());
    }

    @Test
    void aMissedTargetFailsOnlyWithRequireTargets(@TempDir Path tmp) throws Exception {
        Path strict = Files.writeString(tmp.resolve("targets.json"), """
                {"schemaVersion": 1, "targets": [{"id": "wait-exact", "what": "no error at all", "benchmark": "LinkWaitBenchmark.linkWait",
                  "params": {}, "measure": {"kind": "waitError", "param": "waitMicros", "relative": 0.0, "absoluteMicros": 0.0}}]}""");
        assertEquals(0, report(tmp, "--targets", strict.toString()));
        assertTrue(err.toString().contains("warning: target wait-exact missed"), err.toString());
        assertEquals(1, report(tmp, "--targets", strict.toString(), "--require-targets"));
        assertTrue(err.toString().contains("error: target wait-exact missed"), err.toString());
    }

    @Test
    void aRunWithNoMeasurementIsBadInput(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(2, Tiermark.run(new String[] {"report", empty.toString(), "--no-plots"}));
        assertTrue(err.toString().contains("no measurement to report"), err.toString());
    }

    @Test
    void compareRefusesAMissingOrForeignRun(@TempDir Path tmp) throws Exception {
        assertEquals(2, Tiermark.run(new String[] {"compare", A, tmp.resolve("missing").toString()}));
        Path pkg = Files.writeString(tmp.resolve("package.json"), "{\"name\": \"x\"}");
        assertEquals(2, Tiermark.run(new String[] {"compare", A, pkg.toString()}));
        assertTrue(err.toString().contains(pkg + " holds no measurement"), err.toString());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(2, Tiermark.run(new String[] {"compare", A, empty.toString()}));
    }

    @Test
    void accuracyRefusesAnUnknownSet() {
        assertEquals(2, Tiermark.run(new String[] {"accuracy", "--model", "minilm-spam", "--set", "huge", "--out", "unused"}));
        assertTrue(err.toString().contains("unknown evaluation set 'huge'; valid: small, large"), err.toString());
    }

    @Test
    void theRuleIsInEachHelp() {
        for (String c : new String[] {"report", "compare", "accuracy"}) {
            out.reset();
            assertEquals(0, Tiermark.run(new String[] {c, "--help"}));
            assertTrue(out.toString().contains("2  bad or missing input"), c + ": " + out);
        }
    }
}
