package org.tiermark.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;

/**
 * What one benchmark trial's deployment cost beyond time, as {@code stages/*.json} in a run folder:
 * per stage its memory against its tier's budget, per hop the payload and the links it crossed.
 * Written and read by this class only ({@link #write}, {@link #read}).
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}; a file of another version is refused
 * @param benchmark     the benchmark class's simple name
 * @param model         the model
 * @param operator      the operator whose variant ran
 * @param deployment    the deployment
 * @param stages        one entry per stage, in order
 * @param hops          origin to the first stage, between stages, last stage back to the origin
 */
public record StageReport(
        @JsonProperty(required = true) int schemaVersion,
        @JsonProperty(required = true) String benchmark,
        @JsonProperty(required = true) String model,
        @JsonProperty(required = true) String operator,
        @JsonProperty(required = true) String deployment,
        @JsonProperty(required = true) List<StageMemory> stages,
        @JsonProperty(required = true) List<HopPayload> hops) {
    public static final int SCHEMA_VERSION = 1;

    public StageReport {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("field 'schemaVersion': this build reads version " + SCHEMA_VERSION
                    + " (got " + schemaVersion + ")");
        }
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(deployment, "deployment");
        stages = List.copyOf(stages);
        hops = List.copyOf(hops);
        if (hops.size() != stages.size() + 1) {
            throw new IllegalArgumentException("field 'hops': a deployment of " + stages.size() + " stage(s) has "
                    + (stages.size() + 1) + " hops (got " + hops.size() + ")");
        }
    }

    /** Writes atomically; an existing file is replaced only by a complete one. */
    public void write(Path file) throws IOException {
        Json.writeAtomically(file, this);
    }

    /** Reads a stage file; a malformed one is an {@link InvalidInputException} naming file and field. */
    public static StageReport read(Path file) {
        return Json.read(file, StageReport.class);
    }

    /**
     * Memory of one stage; -1 where it could not be measured.
     *
     * @param index            the stage's position in the variant
     * @param tier             the tier it ran on
     * @param fileBytes        size of its ONNX file
     * @param creationRssBytes resident-memory growth while its session was created
     * @param firstRunRssBytes resident-memory growth during its first run
     * @param memoryBytes      creation plus first-run growth, -1 if either is unknown
     * @param budgetMb         the tier's memory budget
     * @param fitsBudget       whether {@code memoryBytes} stays within the budget (true when unknown)
     */
    public record StageMemory(int index, String tier, long fileBytes, long creationRssBytes, long firstRunRssBytes,
                              long memoryBytes, long budgetMb, boolean fitsBudget) {
        public StageMemory {
            if (index < 0) {
                throw new IllegalArgumentException("field 'index': must be >= 0 (got " + index + ")");
            }
            Objects.requireNonNull(tier, "tier");
            if (memoryBytes != memory(creationRssBytes, firstRunRssBytes)
                    || fitsBudget != fits(memoryBytes, budgetMb)) {
                throw new IllegalArgumentException("fields 'memoryBytes'/'fitsBudget' of stage " + index
                        + " do not follow from creationRssBytes, firstRunRssBytes and budgetMb");
            }
        }

        /** The entry for measured figures, with memory and the budget verdict derived from them. */
        public static StageMemory of(int index, String tier, long fileBytes, long creationRssBytes,
                                     long firstRunRssBytes, long budgetMb) {
            long memory = memory(creationRssBytes, firstRunRssBytes);
            return new StageMemory(index, tier, fileBytes, creationRssBytes, firstRunRssBytes, memory, budgetMb,
                    fits(memory, budgetMb));
        }

        private static long memory(long creationRssBytes, long firstRunRssBytes) {
            // resident memory can shrink while a session is made: a negative growth counts as none
            return creationRssBytes < 0 || firstRunRssBytes < 0 ? -1
                    : Math.max(0, creationRssBytes) + Math.max(0, firstRunRssBytes);
        }

        private static boolean fits(long memoryBytes, long budgetMb) {
            return memoryBytes < 0 || memoryBytes <= budgetMb * 1024 * 1024;
        }
    }

    /**
     * One hop of a request.
     *
     * @param hop          {@code from>to}
     * @param payloadBytes bytes that crossed it in the last measured call (0 when no link was crossed)
     * @param links        the links crossed, in order; empty when both ends are the same tier
     */
    public record HopPayload(String hop, long payloadBytes, List<String> links) {
        public HopPayload {
            Objects.requireNonNull(hop, "hop");
            if (payloadBytes < 0) {
                throw new IllegalArgumentException("field 'payloadBytes': must be >= 0 (got " + payloadBytes + ")");
            }
            links = List.copyOf(links);
        }
    }
}
