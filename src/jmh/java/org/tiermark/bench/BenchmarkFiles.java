package org.tiermark.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tiermark.Json;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.suite.JmhGroups;

/** Side files a benchmark trial leaves in the run folder: what JMH's JSON has no place for. */
final class BenchmarkFiles {
    /** System property the suite sets on forks: the run folder. */
    static final String RUN_DIR = JmhGroups.RUN_DIR_PROPERTY;

    private BenchmarkFiles() {}

    /** Per-stage memory, file size and payload bytes per hop, as {@code stages/<benchmark>.<params>.<pid>.json}. */
    static void writeStageInfo(Class<?> benchmark, String params, DeploymentRunner runner) throws IOException {
        String dir = System.getProperty(RUN_DIR);
        if (dir == null || dir.isBlank()) {
            return;
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("benchmark", benchmark.getSimpleName());
        info.put("model", runner.variant().model());
        info.put("operator", runner.variant().operator());
        info.put("deployment", runner.deployment().name());
        info.put("stages", runner.stageInfo());
        info.put("hops", runner.hops().stream().map(h -> Map.of("hop", h.label(),
                "links", h.links().stream().map(l -> l.name()).toList())).toList());
        info.put("payloadBytes", runner.lastBreakdown().bytes);
        Path file = Path.of(dir, "stages", benchmark.getSimpleName() + "." + params + "." + ProcessHandle.current().pid() + ".json");
        Json.writeAtomically(file, info);
    }
}
