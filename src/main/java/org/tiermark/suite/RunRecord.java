package org.tiermark.suite;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.Json;

/**
 * {@code run.json}: what a run folder holds and how its run went, written by the suite (at start,
 * after building variants and when finished) and read back by the same code. A run killed on the way
 * keeps {@code finishedUtc} null and status {@code running}: readers take that as "did not finish".
 *
 * @param schemaVersion  {@link #SCHEMA_VERSION}
 * @param host           host name of the machine
 * @param startedUtc     ISO-8601 instant the run folder was made
 * @param finishedUtc    ISO-8601 instant the run finished; null until then
 * @param status         how the run went
 * @param cores          processors the JVM saw
 * @param java           JVM name and version
 * @param os             OS name, version and architecture
 * @param gitCommit      commit of the project folder, or {@code unknown}
 * @param matrix         matrix size ({@code smoke}, {@code default}, {@code full})
 * @param params         the {@code --params} filter as given
 * @param jmh            the harness settings of every group
 * @param cells          the matrix's cells as planned
 * @param measuredCells  the cells left once variants that could not be built were dropped; null before that
 * @param skipped        variants that could not be built, with the reason
 * @param skippedTargets targets not planned, with the reason
 * @param results        JMH results in {@code jmh.json}
 * @param failures       groups (and steps) that failed, each with its cause
 * @param targetsFile    the copy of {@code profiles/targets.json} in the run folder the report checks targets from
 * @param leftOut        cells of the matrix size not measured because an earlier run took over
 *                       {@link SamplePlanner#DEFAULT_MAX_REQUEST_MS} per request there (the default
 *                       matrix's budget; the full matrix measures them); empty when none
 * @param links          how the deployment benchmarks' links cost time: {@code simulated} (runs before the field
 *                       existed), {@code emulated} or {@code remote} (see {@code runtime/LinkDelayModel})
 * @param linkSetup      for {@code emulated}: how the tiers were built (congestion control, CPU quota mapping; each
 *                       trial's namespaces and agents are in {@code emulation/}); for {@code remote}: each tier's
 *                       endpoint, readiness and measured round trip; empty for {@code simulated}
 * @param sweep          the bandwidth-sweep point this run measured; absent (null) outside a sweep
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunRecord(int schemaVersion, String host, String startedUtc, String finishedUtc, Status status,
                        int cores, String java, String os, String gitCommit, String matrix, String params,
                        JmhSettings jmh, List<Matrix.Cell> cells, List<Matrix.Cell> measuredCells,
                        List<SkippedVariant> skipped, List<String> skippedTargets, int results,
                        List<Failure> failures, String targetsFile, List<Matrix.Cell> leftOut,
                        String links, Map<String, Object> linkSetup,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Sweep.Point sweep) {
    public static final int SCHEMA_VERSION = 2;
    public static final String FILE = "run.json";

    public RunRecord {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("field 'schemaVersion': this tiermark reads version " + SCHEMA_VERSION
                    + " (got " + schemaVersion + ")");
        }
        cells = List.copyOf(cells);
        measuredCells = measuredCells == null ? null : List.copyOf(measuredCells);
        skipped = List.copyOf(skipped);
        skippedTargets = List.copyOf(skippedTargets);
        failures = List.copyOf(failures);
        // run.json of runs before the sample planner has no such field
        leftOut = leftOut == null ? List.of() : List.copyOf(leftOut);
        links = links == null ? "simulated" : links;
        linkSetup = linkSetup == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(linkSetup));
    }

    /** A run record with simulated links outside a sweep (the fields before either existed). */
    public RunRecord(int schemaVersion, String host, String startedUtc, String finishedUtc, Status status,
                     int cores, String java, String os, String gitCommit, String matrix, String params,
                     JmhSettings jmh, List<Matrix.Cell> cells, List<Matrix.Cell> measuredCells,
                     List<SkippedVariant> skipped, List<String> skippedTargets, int results,
                     List<Failure> failures, String targetsFile, List<Matrix.Cell> leftOut) {
        this(schemaVersion, host, startedUtc, finishedUtc, status, cores, java, os, gitCommit, matrix, params, jmh, cells,
                measuredCells, skipped, skippedTargets, results, failures, targetsFile, leftOut, null, null, null);
    }

    /** How a run went. */
    public enum Status {
        /** Started and not finished: still measuring, or killed. */
        @JsonProperty("running") RUNNING,
        /** Finished: every group measured. */
        @JsonProperty("complete") COMPLETE,
        /** Finished with failures, but something was measured. */
        @JsonProperty("partial") PARTIAL,
        /** Finished without a single measurement. */
        @JsonProperty("nothing-measured") NOTHING_MEASURED
    }

    /** A variant the operator could not make from the model, and why; its cells were not measured. */
    public record SkippedVariant(String model, String operator, String reason) {}

    /** A JMH group or a step of the run that failed, with the cause as the benchmark process gave it. */
    public record Failure(String group, String cause) {}

    /** A run that started now: nothing measured yet. */
    public static RunRecord started(String host, String startedUtc, String gitCommit, Matrix matrix, String params,
                                    JmhSettings jmh, List<String> skippedTargets, String targetsFile, List<Matrix.Cell> leftOut,
                                    Sweep.Point sweep) {
        return new RunRecord(SCHEMA_VERSION, host, startedUtc, null, Status.RUNNING,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                gitCommit, matrix.size().name().toLowerCase(), params, jmh, matrix.cells(), null, List.of(),
                skippedTargets, 0, List.of(), targetsFile, leftOut, null, null, sweep);
    }

    /** The same run with its links chosen and set up (or checked) as {@code linkSetup} says. */
    public RunRecord withLinks(String chosen, Map<String, Object> setup) {
        return new RunRecord(schemaVersion, host, startedUtc, finishedUtc, status, cores, java, os, gitCommit, matrix, params,
                jmh, cells, measuredCells, skipped, skippedTargets, results, failures, targetsFile, leftOut, chosen, setup, sweep);
    }

    /** The same run once its variants were built: the cells that will be measured and the variants skipped. */
    public RunRecord withVariants(List<Matrix.Cell> measured, List<SkippedVariant> skippedVariants) {
        return new RunRecord(schemaVersion, host, startedUtc, finishedUtc, status, cores, java, os, gitCommit, matrix, params,
                jmh, cells, measured, skippedVariants, skippedTargets, results, failures, targetsFile, leftOut, links, linkSetup, sweep);
    }

    /** The same run, finished at {@code finishedUtc}; its status follows from what was measured and what failed. */
    public RunRecord finished(String finishedUtc, int measuredResults, List<Failure> allFailures) {
        Status s = measuredResults == 0 ? Status.NOTHING_MEASURED : allFailures.isEmpty() ? Status.COMPLETE : Status.PARTIAL;
        return new RunRecord(schemaVersion, host, startedUtc, finishedUtc, s, cores, java, os, gitCommit, matrix, params,
                jmh, cells, measuredCells, skipped, skippedTargets, measuredResults, allFailures, targetsFile, leftOut, links, linkSetup, sweep);
    }

    /** The same run with one more failure (e.g. of the report step after the run finished). */
    public RunRecord withFailure(Failure failure) {
        List<Failure> all = new ArrayList<>(failures);
        all.add(failure);
        return new RunRecord(schemaVersion, host, startedUtc, finishedUtc, finishedUtc == null ? status
                : results == 0 ? Status.NOTHING_MEASURED : Status.PARTIAL, cores, java, os, gitCommit, matrix, params,
                jmh, cells, measuredCells, skipped, skippedTargets, results, all, targetsFile, leftOut, links, linkSetup, sweep);
    }

    /**
     * True when the run finished, measured something and nothing failed: the only kind of run
     * {@code results/latest} points at (a run that lost a fork is kept, but is not the latest result).
     */
    public boolean complete() {
        return finishedUtc != null && results > 0 && status == Status.COMPLETE;
    }

    public void write(Path runDir) throws IOException {
        Json.writeAtomically(runDir.resolve(FILE), this);
    }

    public static RunRecord read(Path runDir) {
        return Json.read(runDir.resolve(FILE), RunRecord.class);
    }
}
