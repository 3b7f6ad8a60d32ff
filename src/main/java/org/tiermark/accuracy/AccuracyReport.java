package org.tiermark.accuracy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tiermark.Json;

/**
 * The content of {@code accuracy.json} (schema {@value #SCHEMA}; the number after the slash is the
 * schema version): one entry per evaluated variant, one error per variant that could not be
 * evaluated. The one definition of the format: the accuracy step writes it with {@link #write} and
 * the report reads it with {@link #read}.
 */
public record AccuracyReport(String schema, String createdUtc, String evaluationSet, List<Entry> entries,
                             List<Error> errors) {
    public static final String SCHEMA = "tiermark-accuracy/1";
    public static final String FILE = "accuracy.json";

    public AccuracyReport {
        entries = entries == null ? List.of() : List.copyOf(entries);
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /**
     * One variant's accuracy.
     *
     * @param metric                {@code f1}, {@code top1} or {@code mean-iou}
     * @param value                 a fraction in [0, 1] (or the metric's own scale)
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
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> extra) {
        /** {@link #perSample} as numbers for the statistics, or null when not recorded. */
        public double[] perSampleScores() {
            return perSample == null ? null : perSample.stream().mapToDouble(Number::doubleValue).toArray();
        }
    }

    /** A variant that could not be evaluated, and why. */
    public record Error(String model, String operator, String message) {}

    /**
     * A file as read: its valid entries, and what was wrong with the rest.
     *
     * @param report   the file with only its valid entries (no entries when unreadable)
     * @param problems bad schema, broken entries, variants that failed to evaluate, each naming the file
     */
    public record Read(AccuracyReport report, List<String> problems) {}

    /** Writes {@code dir/accuracy.json} atomically. */
    public Path write(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        Json.writeAtomically(file, this);
        return file;
    }

    // fields may be added to the schema by its writer; an older reader ignores them, missing ones are reported
    private static final ObjectMapper LENIENT = Json.MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads an accuracy file; never throws for bad content: problems are listed, valid entries kept. */
    public static Read read(Path file) {
        List<String> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = LENIENT.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            return empty(file + ": file not found");
        } catch (IOException e) {
            return empty(file + ": not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !SCHEMA.equals(root.path("schema").asText())) {
            return empty(file + ": not an accuracy file: field 'schema' must be '" + SCHEMA
                    + "' (got " + (root != null && root.has("schema") ? "'" + root.get("schema").asText() + "'" : "nothing") + ")");
        }
        List<Entry> entries = new ArrayList<>();
        JsonNode es = root.path("entries");
        for (int i = 0; i < es.size(); i++) {
            try {
                Entry entry = LENIENT.treeToValue(es.get(i), Entry.class);
                if (entry.model() == null || entry.operator() == null || !Double.isFinite(entry.value())) {
                    throw new IllegalArgumentException("fields 'model', 'operator' and 'value' are required");
                }
                entries.add(entry);
            } catch (IOException | IllegalArgumentException ex) {
                problems.add(file + ": entries[" + i + "]: " + ex.getMessage().lines().findFirst().orElse(""));
            }
        }
        List<Error> errors = new ArrayList<>();
        for (JsonNode f : root.path("errors")) {
            errors.add(new Error(f.path("model").asText("?"), f.path("operator").asText("?"), f.path("message").asText("")));
            problems.add(file + ": accuracy of " + f.path("model").asText("?") + "/" + f.path("operator").asText("?")
                    + " failed: " + f.path("message").asText(""));
        }
        return new Read(new AccuracyReport(SCHEMA, root.path("createdUtc").asText(null), root.path("evaluationSet").asText(null),
                entries, errors), problems);
    }

    private static Read empty(String problem) {
        return new Read(new AccuracyReport(SCHEMA, null, null, List.of(), List.of()), List.of(problem));
    }
}
