package org.tiermark.tier;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Placement of a variant's stages on tiers, as loaded from {@code profiles/deployments/<name>.json}.
 * The input is captured on {@link #ORIGIN} and the answer returns there.
 *
 * @param name      the deployment's name, also its file name
 * @param stages    the tier of each stage, in order: one tier runs the whole model, two split it
 *                  (filled by the partition operator)
 * @param firstHop  what crosses the first link: {@code raw} (what a device really sends: UTF-8 text,
 *                  encoded image bytes; preprocessing runs on the first stage's tier) or
 *                  {@code tensor} (preprocessing runs on the origin and its tensors cross)
 */
public record DeploymentProfile(
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) List<String> stages,
        FirstHop firstHop,
        String description) {

    /** Where every input is captured and every answer is delivered. */
    public static final String ORIGIN = "mobile";

    /** What crosses the first link. */
    public enum FirstHop {
        @JsonProperty("raw") RAW,
        @JsonProperty("tensor") TENSOR
    }

    public DeploymentProfile {
        Names.check("name", name);
        if (stages == null || stages.isEmpty() || stages.size() > 8) {
            throw new IllegalArgumentException("field 'stages': must list 1 to 8 tier names, e.g. [\"edge\"] or [\"mobile\", \"edge\"]");
        }
        for (int i = 0; i < stages.size(); i++) {
            Names.check("stages[" + i + "]", stages.get(i));
        }
        stages = List.copyOf(stages);
        firstHop = firstHop == null ? FirstHop.RAW : firstHop;
        description = description == null ? "" : description;
    }

    public int stageCount() {
        return stages.size();
    }
}
