package org.tiermark.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.Json;

/**
 * Reads JMH's JSON result format ({@code -rf json}) for any benchmark: params generically, raw
 * samples from {@code rawDataHistogram} (sample mode) or {@code rawData} (other modes), secondary
 * metrics summed over iterations. Reads element by element, so a truncated file still yields
 * every complete benchmark before the cut, with a message saying where it broke.
 */
public final class JmhReader {
    private JmhReader() {}

    /** Reads {@code file}; never throws for bad content, the problems are in the readout. */
    public static Readout read(Path file) {
        List<Measurement> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int index = 0;
        try (JsonParser p = Json.MAPPER.getFactory().createParser(Files.newInputStream(file))) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                problems.add(file + ": not JMH JSON: expected an array of benchmark results (JMH -rf json), found "
                        + (first == null ? "an empty file" : describe(first)));
                return new Readout(out, problems);
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                if (t == null) {
                    problems.add(file + ": truncated after " + index + " benchmark results (the array is not closed)");
                    break;
                }
                if (t != JsonToken.START_OBJECT) {
                    problems.add(file + ": element [" + index + "]: not a benchmark result (found " + describe(t) + ")");
                    p.skipChildren();
                    continue;
                }
                JsonNode node = Json.MAPPER.readTree(p);
                try {
                    out.add(measurement(node, file));
                } catch (IllegalArgumentException e) {
                    problems.add(file + ": element [" + index + "]" + name(node) + ": " + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            problems.add(file + ": file not found");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            problems.add(file + ": truncated or invalid JSON in element [" + index + "]"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + e.getOriginalMessage() + "; the " + out.size() + " complete results before it are reported");
        } catch (IOException e) {
            problems.add(file + ": cannot read: " + e.getMessage());
        }
        return new Readout(out, problems);
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            default -> "a " + t.name().toLowerCase().replace("value_", "");
        };
    }

    private static String name(JsonNode node) {
        JsonNode b = node.get("benchmark");
        return b != null && b.isTextual() ? " (" + b.asText() + ")" : "";
    }

    static Measurement measurement(JsonNode node, Path file) {
        String benchmark = text(node, "benchmark");
        String mode = text(node, "mode");
        JsonNode primary = node.get("primaryMetric");
        if (primary == null || !primary.isObject()) {
            throw new IllegalArgumentException("field 'primaryMetric' missing: not a JMH benchmark result");
        }
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode ps = node.get("params");
        if (ps != null && ps.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = ps.fields(); it.hasNext(); ) {
                var e = it.next();
                params.put(e.getKey(), e.getValue().asText());
            }
        }
        String unit = primary.path("scoreUnit").asText("");
        List<Samples> iterations = new ArrayList<>();
        JsonNode hist = primary.get("rawDataHistogram");
        JsonNode raw = primary.get("rawData");
        if (hist != null && hist.isArray()) {
            for (JsonNode fork : hist) {
                for (JsonNode iteration : fork) {
                    double[] v = new double[iteration.size()];
                    long[] c = new long[iteration.size()];
                    int i = 0;
                    for (JsonNode pair : iteration) {
                        if (!pair.isArray() || pair.size() != 2) {
                            throw new IllegalArgumentException("field 'primaryMetric.rawDataHistogram': expected [value, count] pairs");
                        }
                        v[i] = pair.get(0).asDouble();
                        c[i++] = pair.get(1).asLong();
                    }
                    iterations.add(Samples.weighted(v, c));
                }
            }
        } else if (raw != null && raw.isArray()) {
            for (JsonNode fork : raw) {
                for (JsonNode value : fork) {
                    iterations.add(Samples.of(value.asDouble()));
                }
            }
        }
        if (iterations.stream().allMatch(Samples::isEmpty)) {
            throw new IllegalArgumentException("no raw samples (neither 'rawDataHistogram' nor 'rawData'): the benchmark failed or was run without raw data");
        }
        Map<String, Double> secondary = new LinkedHashMap<>();
        JsonNode sec = node.get("secondaryMetrics");
        if (sec != null && sec.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = sec.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode r = e.getValue().get("rawData");
                // the percentile pseudo-metrics of sample mode have no raw data of their own: skip them
                if (r != null && r.isArray() && !e.getKey().startsWith("p0.") && !e.getKey().equals("p1.00")) {
                    double s = 0;
                    for (JsonNode fork : r) {
                        for (JsonNode v : fork) {
                            s += v.asDouble();
                        }
                    }
                    secondary.put(e.getKey(), s);
                }
            }
        }
        return new Measurement(benchmark, mode, unit, params, Samples.pooled(iterations), iterations, secondary,
                file.getFileName().toString());
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' missing: not a JMH benchmark result");
        }
        return v.asText();
    }
}
