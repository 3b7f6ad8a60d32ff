package org.tiermark.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tiermark.Json;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.suite.JmhGroups;

/** Side files a benchmark trial leaves in the run folder: what JMH's JSON has no place for. */
final class BenchmarkFiles {
    /** System property the suite sets on forks: the run folder. */
    static final String RUN_DIR = JmhGroups.RUN_DIR_PROPERTY;

    private BenchmarkFiles() {}

    /** Per-stage memory, file size and payload bytes per hop ({@code runtime/StageReport}), as {@code stages/<benchmark>.<params>.<pid>.json}. */
    static void writeStageInfo(Class<?> benchmark, String params, DeploymentRunner runner) throws IOException {
        String dir = System.getProperty(RUN_DIR);
        if (dir == null || dir.isBlank()) {
            return;
        }
        Path file = Path.of(dir, "stages", benchmark.getSimpleName() + "." + params + "." + ProcessHandle.current().pid() + ".json");
        runner.stageReport(benchmark.getSimpleName()).write(file);
    }

    /**
     * What a trial on emulated tiers built (namespaces, links and their shaping, pinned TCP congestion control,
     * cgroups, agents), as {@code emulation/<benchmark>.<params>.<pid>.json}.
     */
    static void writeEmulation(Class<?> benchmark, String params, Map<String, Object> description) throws IOException {
        String dir = System.getProperty(RUN_DIR);
        if (dir == null || dir.isBlank()) {
            return;
        }
        Path file = Path.of(dir, "emulation", benchmark.getSimpleName() + "." + params + "." + ProcessHandle.current().pid() + ".json");
        Files.createDirectories(file.getParent());
        Json.writeAtomically(file, description);
    }
}
