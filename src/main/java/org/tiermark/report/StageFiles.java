package org.tiermark.report;

import java.nio.file.Path;
import java.util.List;
import org.tiermark.runtime.StageReport;

/**
 * What the report reads of a run's {@code stages/*.json} (one per trial, written by the benchmark's
 * setup through {@link StageReport}, and read here through the same record).
 */
final class StageFiles {
    private StageFiles() {}

    /** One trial's deployment as set up: its cell, the bytes crossing links per request and each stage. */
    record Trial(String benchmark, String model, String operator, String deployment, double payloadBytes, List<Stage> stages) {
        boolean isCell(Measurement m) {
            return model.equals(m.param(DeploymentParams.MODEL)) && operator.equals(m.param(DeploymentParams.OPERATOR))
                    && deployment.equals(m.param(DeploymentParams.DEPLOYMENT));
        }
    }

    /**
     * One stage of a trial.
     *
     * @param memoryBytes resident growth at session creation plus its first run, or -1 when unknown
     * @param budgetMb    its tier's memory budget, or -1 when none
     */
    record Stage(String tier, long memoryBytes, long budgetMb) {
        boolean overBudget() {
            return memoryBytes >= 0 && budgetMb >= 0 && memoryBytes > budgetMb * 1024 * 1024;
        }
    }

    /** Reads every {@code dir/stages/*.json}; a broken file becomes a problem. */
    static List<Trial> read(Path runDir, List<String> problems) {
        return JsonFiles.readEach(runDir.resolve("stages"), f -> trial(StageReport.read(f)), "stage info", problems);
    }

    private static Trial trial(StageReport r) {
        double payload = r.hops().stream().mapToLong(StageReport.HopPayload::payloadBytes).sum();
        List<Stage> stages = r.stages().stream().map(s -> new Stage(s.tier(), s.memoryBytes(), s.budgetMb())).toList();
        return new Trial(r.benchmark().replace("_jmhType", ""), r.model(), r.operator(), r.deployment(), payload, stages);
    }
}
