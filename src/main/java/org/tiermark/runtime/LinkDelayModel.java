package org.tiermark.runtime;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.tiermark.InvalidInputException;

/**
 * The benchmarks' {@code linkDelay} parameter: a name for a pair of {@link Costs}, the one place the
 * old single switch is mapped onto the two choices, so cells named {@code simulated}/{@code off} keep
 * measuring what they always did.
 * <ul>
 *   <li>{@code simulated}: links waited for ({@code LinkCost.SIMULATED}), compute stretched
 *       ({@code ComputeEmulation.STRETCH});</li>
 *   <li>{@code off}: links free and tiers at machine speed ({@link Costs#NONE}); payloads are still
 *       serialized. This is what the harness-overhead comparison with a raw ONNX Runtime loop uses.</li>
 * </ul>
 */
public enum LinkDelayModel {
    SIMULATED(Costs.SIMULATED), OFF(Costs.NONE);

    private final Costs costs;

    LinkDelayModel(Costs costs) {
        this.costs = costs;
    }

    public Costs costs() {
        return costs;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LinkDelayModel parse(String value) {
        for (LinkDelayModel m : values()) {
            if (m.id().equals(value)) {
                return m;
            }
        }
        throw new InvalidInputException("unknown link-delay model '" + value + "'; valid: "
                + Arrays.stream(values()).map(LinkDelayModel::id).collect(Collectors.joining(", ")));
    }
}
