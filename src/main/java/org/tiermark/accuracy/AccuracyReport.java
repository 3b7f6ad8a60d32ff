package org.tiermark.accuracy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code accuracy.json} (schema {@value #SCHEMA}): one entry per evaluated variant,
 * one error per variant that could not be evaluated.
 */
public record AccuracyReport(String schema, String createdUtc, String evaluationSet, List<Entry> entries,
                             List<Error> errors) {
    public static final String SCHEMA = "tiermark-accuracy/1";

    public AccuracyReport {
        entries = List.copyOf(entries);
        errors = List.copyOf(errors);
    }

    /**
     * One variant's accuracy.
     *
     * @param metric                {@code f1}, {@code top1} or {@code mean-iou}
     * @param ci95                  seeded percentile bootstrap (1000 resamples) of {@code value}
     * @param deltaVsIdentity       {@code value} minus identity's (0 for identity; null when identity failed)
     * @param agreementWithIdentity share of samples with identity's prediction (classification), or mean IoU
     *                              with identity's thresholded map (text detection); null when identity failed
     * @param evaluationSeconds     wall time from opening the variant's sessions to the last answer
     * @param perSample             per-sample score in evaluation-set order: 0/1 correct, or the image's IoU
     * @param deployment            the deployment the stages ran on (links off, machine speed)
     * @param extra                 further figures, e.g. {@code boxF1} for text detection
     */
    public record Entry(String model, String operator, String metric, double value, double[] ci95,
                        Double deltaVsIdentity, Double agreementWithIdentity, int samples, double evaluationSeconds,
                        List<Number> perSample, String deployment,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> extra) {}

    /** A variant that could not be evaluated, and why. */
    public record Error(String model, String operator, String message) {}
}
