package org.tiermark.tier;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.tiermark.onnx.Sessions;

/**
 * A place where compute runs, as loaded from {@code profiles/tiers/<name>.json}.
 *
 * @param name            the tier's name, also its file name
 * @param intraOpThreads  ONNX Runtime intra-op threads for stages on this tier
 * @param interOpThreads  ONNX Runtime inter-op threads (sequential execution uses 1)
 * @param relativeSpeed   compute speed relative to the measuring machine (1.0 = this machine);
 *                        with compute emulation {@code stretch} a stage's compute time is stretched by 1 / relativeSpeed
 * @param memoryBudgetMb  memory a variant may use on this tier; above it the variant is not deployable there
 * @param description     where the numbers come from
 */
public record TierProfile(
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) int intraOpThreads,
        @JsonProperty(required = true) int interOpThreads,
        @JsonProperty(required = true) double relativeSpeed,
        @JsonProperty(required = true) long memoryBudgetMb,
        String description) {

    public TierProfile {
        Names.check("name", name);
        if (intraOpThreads < 1 || intraOpThreads > 256) {
            throw new IllegalArgumentException("field 'intraOpThreads': must be 1..256 (got " + intraOpThreads + ")");
        }
        if (interOpThreads < 1 || interOpThreads > 256) {
            throw new IllegalArgumentException("field 'interOpThreads': must be 1..256 (got " + interOpThreads + ")");
        }
        if (!(relativeSpeed > 0) || Double.isInfinite(relativeSpeed)) {
            throw new IllegalArgumentException("field 'relativeSpeed': must be a positive number (got " + relativeSpeed + ")");
        }
        if (memoryBudgetMb < 1) {
            throw new IllegalArgumentException("field 'memoryBudgetMb': must be >= 1 (got " + memoryBudgetMb + ")");
        }
        description = description == null ? "" : description;
    }

    /** Nanoseconds this tier needs for work that took {@code measuredNanos} on the measuring machine. */
    public long stretchedNanos(long measuredNanos) {
        return Math.round(measuredNanos / relativeSpeed);
    }

    /** ONNX Runtime settings of the stages placed on this tier. */
    public Sessions.Settings sessionSettings() {
        return Sessions.Settings.threads(intraOpThreads, interOpThreads);
    }
}
