package org.tiermark.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tiermark.Json;

/**
 * What the report reads of a run's {@code stages/*.json} (one per trial, written by the benchmark's
 * setup): the one place that knows that format, so its move to a typed record changes only this class.
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
        Path dir = runDir.resolve("stages");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            problems.add(dir + ": cannot list: " + e.getMessage());
            return List.of();
        }
        List<Trial> out = new ArrayList<>();
        for (Path f : files) {
            try {
                out.add(trial(Json.MAPPER.readTree(Files.readString(f))));
            } catch (IOException e) {
                problems.add(f + ": not valid JSON, stage info left out: " + e.getMessage());
            }
        }
        return out;
    }

    private static Trial trial(JsonNode s) {
        double payload = 0;
        for (JsonNode b : s.path("payloadBytes")) {
            payload += b.asDouble();
        }
        List<Stage> stages = new ArrayList<>();
        for (JsonNode st : s.path("stages")) {
            long creation = st.path("creationRssBytes").asLong(-1);
            long firstRun = st.path("firstRunRssBytes").asLong(-1);
            long memory = creation < 0 || firstRun < 0 ? -1 : Math.max(0, creation) + Math.max(0, firstRun);
            stages.add(new Stage(st.path("tier").asText(), memory, st.path("budgetMb").asLong(-1)));
        }
        return new Trial(s.path("benchmark").asText("").replace("_jmhType", ""), s.path("model").asText(), s.path("operator").asText(),
                s.path("deployment").asText(), payload, stages);
    }
}
