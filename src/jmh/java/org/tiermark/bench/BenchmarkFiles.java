package org.tiermark.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.tiermark.runtime.DeploymentRunner;

/** Side files a benchmark trial leaves in the run folder: what JMH's JSON has no place for. */
final class BenchmarkFiles {
    /** Raw inputs each trial cycles through. */
    static final int POOL_SIZE = 256;
    /** System property the suite sets on forks: the run folder. */
    static final String RUN_DIR = "tiermark.run.dir";

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
}
