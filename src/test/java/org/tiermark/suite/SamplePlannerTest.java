package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Benchmarks;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.Targets;

/** The sample plan of the real matrices, predicted from the checked-in reference run. */
class SamplePlannerTest {
    /** The headline benchmark of profiles/benchmarks.json: the deployment matrix's cells. */
    private static final String DEPLOYMENT = Benchmarks.load(Path.of(".")).headline().split("\\.")[0];

    static final Path HOME = Path.of(System.getProperty("tiermark.home", "."));
    final Suite suite = Suite.load(HOME);

    @TempDir
    Path noRuns;

    private SuiteRun.Request request(Matrix.Size size) {
        return new SuiteRun.Request(noRuns, size, "", JmhSettings.defaults(size), "", false, false, "");
    }

    private RequestTimes reference() throws Exception {
        RequestTimes prior = RequestTimes.find(HOME, noRuns, "");
        assertTrue(prior.source().contains(RequestTimes.REFERENCE_RUNS), "a fresh clone predicts from the checked-in runs: " + prior.source());
        return prior;
    }

    private SamplePlanner.SamplePlan plan(Matrix.Size size, RequestTimes prior) {
        SuiteRun.Request r = request(size);
        Matrix m = SuiteRun.matrix(suite, r, prior);
        return SuiteRun.samplePlan(Plan.of(suite, m, Targets.load(HOME)), r, prior);
    }

    @Test
    void everyDefaultCellGetsThirtySamplesAndTheRunFitsItsBudget() throws Exception {
        RequestTimes prior = reference();
        SamplePlanner.SamplePlan p = plan(Matrix.Size.DEFAULT, prior);
        List<SamplePlanner.Cell> deployment = p.groups().stream().filter(g -> g.group().benchmark().equals(DEPLOYMENT))
                .flatMap(g -> g.cells().stream()).toList();
        assertTrue(deployment.size() >= 80, "most of the 108 cells stay: " + deployment.size());
        for (SamplePlanner.Cell c : p.cells()) {
            assertTrue(c.samples() >= SamplePlanner.DEFAULT_MIN_SAMPLES, c.toString());
        }
        // the reference run predates the white-box operators: their cells are planned from iteration counts
        assertTrue(deployment.stream().filter(c -> !trains(c.params().get("operator"))).allMatch(SamplePlanner.Cell::predicted),
                "the reference run measured every black-box default cell");
        System.out.printf("default matrix: %d deployment cells, JMH groups predicted %.1f min%n", deployment.size(),
                p.predictedMs() / 60_000.0);
        assertTrue(p.predictedMs() <= SamplePlanner.DEFAULT_BUDGET_MS, p.predictedMs() / 60_000.0 + " min");
        // what is left out is slow, and each study's question keeps cells to answer it
        Set<Matrix.Cell> left = SuiteRun.leftOut(suite, SuiteRun.matrix(suite, request(Matrix.Size.DEFAULT)), request(Matrix.Size.DEFAULT), prior);
        assertFalse(left.isEmpty());
        assertTrue(left.stream().allMatch(c -> c.deployment().contains("cloud")), left.toString());
        for (String d : List.of("mobile", "edge", "cloud", "mobile-edge", "edge-cloud", "mobile-cloud")) {
            for (String kind : List.of("spam", "fmnist")) {
                assertTrue(deployment.stream().anyMatch(c -> c.params().get("deployment").equals(d) && c.params().get("model").contains(kind)),
                        "a " + kind + " model still measured on " + d);
            }
        }
    }

    @Test
    void theFullMatrixKeepsEveryCellAtAHundredSamples() throws Exception {
        RequestTimes prior = reference();
        SuiteRun.Request r = request(Matrix.Size.FULL);
        assertEquals(SuiteRun.matrix(suite, r).cells(), SuiteRun.matrix(suite, r, prior).cells());
        SamplePlanner.SamplePlan p = plan(Matrix.Size.FULL, prior);
        assertTrue(p.cells().stream().allMatch(c -> c.samples() >= SamplePlanner.FULL_MIN_SAMPLES));
        SamplePlanner.Measurement m = p.groups().get(0).measurement();
        assertEquals(3, m.forks());
        assertEquals(34, m.iterations(), "ceil(100 / 3 forks)");
    }

    @Test
    void aSlowCellGetsOneCallPerIterationAFastOneMany() {
        Plan.Group g = new Plan.Group(DEPLOYMENT, List.of("request"), Map.of("deployment", List.of("edge")));
        SamplePlanner.Measurement m = SamplePlanner.measurement(g, JmhSettings.defaults(Matrix.Size.DEFAULT), 30);
        assertEquals(new SamplePlanner.Measurement(1, 1, 1000, 30, 100, false), m, "3 x 1 s become 30 x 100 ms");
        SamplePlanner.Cell slow = SamplePlanner.cell(Map.of(), m, 23_000);
        assertEquals(30, slow.samples());
        // setup call + warm-up call + 30 measured calls, and the cell's setup
        assertEquals(32 * 23_000 + SamplePlanner.CELL_SETUP_MS, slow.predictedMs());
        SamplePlanner.Cell fast = SamplePlanner.cell(Map.of(), m, 5);
        assertEquals(600, fast.samples());
        SamplePlanner.Cell unknown = SamplePlanner.cell(Map.of(), m, Double.NaN);
        assertEquals(30, unknown.samples(), "without a prediction the iteration count still guarantees the minimum");
        assertEquals(new SamplePlanner.Measurement(1, 1, 1000, 3, 1000, false),
                SamplePlanner.measurement(g, JmhSettings.defaults(Matrix.Size.DEFAULT), 0), "0: the settings as given");
        Plan.Group cold = new Plan.Group("ColdStartBenchmark", List.of("sessionAndFirstRequest"), Map.of(), true);
        assertEquals(30, SamplePlanner.measurement(cold, JmhSettings.defaults(Matrix.Size.DEFAULT), 30).iterations());
    }

    @Test
    void combinationsFollowJmhsOrder() {
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put("a", List.of("1", "2"));
        params.put("b", List.of("x", "y"));
        assertEquals(List.of(Map.of("a", "1", "b", "x"), Map.of("a", "1", "b", "y"), Map.of("a", "2", "b", "x"), Map.of("a", "2", "b", "y")),
                SamplePlanner.combinations(new Plan.Group("B", List.of("m"), params).params()).stream().map(Map::copyOf).toList());
    }

    @Test
    void requestTimesComeFromAnEarlierRunInMilliseconds(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("jmh.json"), """
                [{"benchmark": "org.tiermark.bench.LinkWaitBenchmark.linkWait", "mode": "sample", "params": {"waitMicros": "1000"},
                  "primaryMetric": {"score": 1009.5, "scoreUnit": "us/op"}},
                 {"benchmark": "org.tiermark.bench.DeploymentBenchmark.request", "mode": "sample",
                  "params": {"model": "m", "deployment": "edge", "linkDelay": "simulated"},
                  "primaryMetric": {"score": 2.5, "scoreUnit": "s/op"}}]""");
        RequestTimes t = RequestTimes.find(HOME, dir.resolve("none"), dir.toString());
        assertEquals(1.0095, t.meanMs("LinkWaitBenchmark", "linkWait", Map.of("waitMicros", "1000")).orElseThrow(), 1e-9);
        assertEquals(2500, t.meanMs("DeploymentBenchmark", "request", Map.of("model", "m")).orElseThrow(), 1e-9);
        assertTrue(t.meanMs("DeploymentBenchmark", "request", Map.of("model", "other")).isEmpty());
        Files.writeString(json, "[{\"benchmark\": \"a.B.c\", \"primaryMetric\": {\"score\": 1, \"scoreUnit\": \"ops/s\"}}]");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RequestTimes.load(json));
        assertTrue(e.getMessage().contains(json.toString()) && e.getMessage().contains("ops/s"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> RequestTimes.find(HOME, dir, dir.resolve("missing").toString()));
        assertTrue(e.getMessage().startsWith("--prior"), e.getMessage());
    }

    @Test
    void aNarrowNewerRunDoesNotHideTheCellsOfOlderOnes(@TempDir Path results) throws Exception {
        String cell = """
                {"benchmark": "org.tiermark.bench.DeploymentBenchmark.request", "params": {"model": "%s", "deployment": "edge"},
                 "primaryMetric": {"score": %s, "scoreUnit": "ms/op"}}""";
        Files.createDirectories(results.resolve("20261201-000000-vm"));
        Files.writeString(results.resolve("20261201-000000-vm/jmh.json"), "[" + cell.formatted("a", "10") + "," + cell.formatted("b", "20") + "]");
        Files.createDirectories(results.resolve("20261202-000000-vm"));
        Files.writeString(results.resolve("20261202-000000-vm/jmh.json"), "[" + cell.formatted("a", "30") + "]");
        Files.createDirectories(results.resolve("20261203-000000-vm"));
        Files.writeString(results.resolve("20261203-000000-vm/jmh.json"), "{\"killed\": ");
        RequestTimes t = RequestTimes.find(results.resolve("no-home"), results, "");
        assertEquals(30, t.meanMs("DeploymentBenchmark", "request", Map.of("model", "a")).orElseThrow(), 1e-9, "the newest run that measured it");
        assertEquals(20, t.meanMs("DeploymentBenchmark", "request", Map.of("model", "b")).orElseThrow(), 1e-9, "older cells still count");
    }

    private static boolean trains(String operator) {
        return org.tiermark.operator.Operator.parse(operator).steps().stream().anyMatch(org.tiermark.operator.OperatorStep::trains);
    }
}
