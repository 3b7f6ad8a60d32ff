package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.runtime.LoadLevel;
import org.tiermark.runtime.LoadResult;
import org.tiermark.runtime.LoadSweep;

class LoadTablesTest {
    @TempDir
    Path run;

    static LoadResult result(LoadLevel level, double p99Ms, boolean drivable) {
        return new LoadResult(level, 100, 0, 50, level.mode() == LoadLevel.Mode.OPEN ? level.ratePerSecond() : 50,
                p99Ms / 2, p99Ms * 0.9, p99Ms, p99Ms / 2, 1, 2, 10, 0.5, 0.01, 3, 0.6, drivable);
    }

    static LoadSweep sweep(String operator, double sustained, double notDrivableFrom, List<LoadResult> search) {
        LoadResult unloaded = result(LoadLevel.closed(1, 100, 1000, 1), 12, true);
        return new LoadSweep(LoadSweep.SCHEMA_VERSION, "resnet-fmnist", operator, "edge", "edge", 1, 1, 0.5, 2, unloaded, 24,
                "2.0 x unloaded p99", List.of(unloaded, result(LoadLevel.closed(4, 100, 1000, 1), 40, true)), search,
                sustained, notDrivableFrom);
    }

    @Test
    void tablesShowTheSustainedRateAndSayWhatTheMachineCouldNotDrive() throws Exception {
        LoadResult ok = result(LoadLevel.open(16, 50, 100, 1000, 1), 20, true);
        LoadResult slow = result(LoadLevel.open(16, 100, 100, 1000, 2), 90, true);
        sweep("identity", 50, Double.NaN, List.of(ok, slow)).write(run.resolve("load/identity.json"));
        LoadResult behind = result(LoadLevel.open(16, 9000, 100, 1000, 3), 20, false);
        sweep("sptq", Double.NaN, 9000, List.of(behind)).write(run.resolve("load/sptq.json"));
        Files.writeString(run.resolve("load/broken.json"), "{");

        List<String> problems = new ArrayList<>();
        List<Table> tables = LoadTables.of(run, problems);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("broken.json"), problems.get(0));
        Table sustained = tables.get(0);
        assertEquals("load-sustained", sustained.id());
        int col = sustained.columns().indexOf("sustained (req/s)");
        assertEquals(50.0, sustained.rows().get(0).get(col));
        assertEquals(LoadTables.NOT_DRIVABLE, sustained.rows().get(1).get(col));
        Table search = tables.get(2);
        int verdict = search.columns().indexOf("within bound");
        assertEquals(List.of("yes", "no", LoadTables.NOT_DRIVABLE), search.rows().stream().map(r -> r.get(verdict)).toList());
        assertEquals(4, tables.get(1).rows().size(), "two closed-loop levels per sweep");
    }

    @Test
    void theSweepDurationIsNoStrategysLatency() {
        Samples s = Samples.of(40.0);
        Map<String, String> params = Map.of("model", "resnet-fmnist", "operator", "identity", "deployment", "edge");
        Measurement load = new Measurement("org.tiermark.bench.LoadBenchmark.sweep", "ss", "s/op", params, s, List.of(s), null, "x");
        Measurement latency = new Measurement("org.tiermark.bench.DeploymentBenchmark.request", "ss", "s/op", params, s, List.of(s),
                null, "x");
        List<TradeOffGroup> groups = TradeOffGroup.of(List.of(load, latency));
        assertEquals(List.of("DeploymentBenchmark.request"), groups.stream().map(TradeOffGroup::benchmark).toList());
    }

    @Test
    void aRunWithoutLoadSweepsHasNoLoadTables() {
        assertTrue(LoadTables.of(run, new ArrayList<>()).isEmpty());
    }
}
