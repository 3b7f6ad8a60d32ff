package org.tiermark.runtime;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.tiermark.InvalidInputException;

/**
 * How link and tier costs enter a measured call.
 * <ul>
 *   <li>{@code simulated}: each hop waits for the link model's time inside the call, and each
 *       compute step is stretched by its tier's 1 / relativeSpeed inside the call;</li>
 *   <li>{@code off}: links cost nothing and every tier runs at the measuring machine's speed;
 *       payloads are still serialized. This is what the machine itself does, and what the
 *       harness-overhead comparison with a raw ONNX Runtime loop uses.</li>
 * </ul>
 * Real network shaping ({@code emulated}) and real hosts ({@code remote}) live in {@code emulation/}.
 */
public enum LinkDelayModel {
    SIMULATED, OFF;

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
