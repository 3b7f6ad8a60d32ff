package org.tiermark.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tiermark.Json;

/**
 * Accuracy of variants: our own {@code accuracy.json} (schema {@code tiermark-accuracy/1}, written by
 * the accuracy step) and the accuracies the studies published, shown beside ours.
 */
public final class Accuracy {
    /** The schema this reader understands. */
    public static final String SCHEMA = "tiermark-accuracy/1";

    /** One variant's accuracy; {@code value} is a fraction in [0, 1] (or the metric's own scale). */
    public record Entry(String model, String operator, String metric, double value, double[] ci95,
                        Double deltaVsIdentity, Double agreementWithIdentity, Integer samples,
                        Double evaluationSeconds, double[] perSample) {}

    /** A variant the accuracy step could not evaluate. */
    public record Failure(String model, String operator, String message) {}

    /** The file as written by the accuracy step. */
    public record File(String schema, String createdUtc, String evaluationSet, List<Entry> entries, List<Failure> errors) {
        public File {
            entries = entries == null ? List.of() : List.copyOf(entries);
            errors = errors == null ? List.of() : List.copyOf(errors);
        }
    }

    /** Accuracy as the studies published it, in percent. */
    public record Published(String model, String operator, String metric, double percent) {}

    // fields may be added to the schema by its writer; unknown ones are ignored, missing ones reported
    private static final ObjectMapper LENIENT = Json.MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final List<Entry> entries;
    private final List<String> problems;

    private Accuracy(List<Entry> entries, List<String> problems) {
        this.entries = List.copyOf(entries);
        this.problems = List.copyOf(problems);
    }

    /** No accuracy known. */
    public static Accuracy none() {
        return new Accuracy(List.of(), List.of());
    }

    /** Reads an accuracy file; problems (bad schema, failed variants, broken entries) are kept, valid entries used. */
    public static Accuracy read(Path file) {
        List<String> problems = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        JsonNode root;
        try {
            root = LENIENT.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            return new Accuracy(List.of(), List.of(file + ": file not found"));
        } catch (IOException e) {
            return new Accuracy(List.of(), List.of(file + ": not valid JSON: " + e.getMessage()));
        }
        if (root == null || !root.isObject() || !SCHEMA.equals(root.path("schema").asText())) {
            return new Accuracy(List.of(), List.of(file + ": not an accuracy file: field 'schema' must be '" + SCHEMA
                    + "' (got " + (root != null && root.has("schema") ? "'" + root.get("schema").asText() + "'" : "nothing") + ")"));
        }
        JsonNode es = root.path("entries");
        for (int i = 0; i < es.size(); i++) {
            JsonNode e = es.get(i);
            try {
                Entry entry = LENIENT.treeToValue(e, Entry.class);
                if (entry.model() == null || entry.operator() == null || !Double.isFinite(entry.value())) {
                    throw new IllegalArgumentException("fields 'model', 'operator' and 'value' are required");
                }
                entries.add(entry);
            } catch (IOException | IllegalArgumentException ex) {
                problems.add(file + ": entries[" + i + "]: " + ex.getMessage().lines().findFirst().orElse(""));
            }
        }
        for (JsonNode f : root.path("errors")) {
            problems.add(file + ": accuracy of " + f.path("model").asText("?") + "/" + f.path("operator").asText("?")
                    + " failed: " + f.path("message").asText(""));
        }
        return new Accuracy(entries, problems);
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<String> problems() {
        return problems;
    }

    public Optional<Entry> find(String model, String operator) {
        return entries.stream().filter(e -> e.model().equals(model) && e.operator().equals(operator)).findFirst();
    }

    /** The studies' published accuracies, from the resource file that cites them. */
    public static List<Published> published() {
        try (InputStream in = Accuracy.class.getResourceAsStream("published-accuracy.json")) {
            JsonNode root = Json.MAPPER.readTree(in);
            List<Published> out = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("models").fields(); it.hasNext(); ) {
                var m = it.next();
                String metric = m.getValue().path("metric").asText();
                for (Iterator<Map.Entry<String, JsonNode>> ops = m.getValue().fields(); ops.hasNext(); ) {
                    var o = ops.next();
                    if (o.getValue().isNumber()) {
                        out.add(new Published(m.getKey(), o.getKey(), metric, o.getValue().asDouble()));
                    }
                }
            }
            return out;
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("resource published-accuracy.json missing or broken", e);
        }
    }

    /** Published accuracies by model then operator. */
    public static Map<String, Map<String, Double>> publishedByModel() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Published p : published()) {
            out.computeIfAbsent(p.model(), k -> new LinkedHashMap<>()).put(p.operator(), p.percent());
        }
        return out;
    }
}
