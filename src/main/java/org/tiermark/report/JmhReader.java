package org.tiermark.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
                Element e = element(p);
                try {
                    out.add(e.measurement(file));
                } catch (IllegalArgumentException ex) {
                    problems.add(file + ": element [" + index + "]" + (e.benchmark == null ? "" : " (" + e.benchmark + ")") + ": " + ex.getMessage());
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

    /**
     * One benchmark result read with the streaming parser: the raw sample arrays are the bulk of a
     * JMH JSON file (millions of numbers in a full run) and a tree of them costs several times more.
     */
    private static final class Element {
        String benchmark;
        String mode;
        String unit;
        boolean primary;
        boolean histogram;
        boolean raw;
        JsonNode params;
        JsonNode secondary;
        final List<Samples> iterations = new ArrayList<>();
        final List<Integer> forks = new ArrayList<>();

        Measurement measurement(Path file) {
            if (benchmark == null || benchmark.isBlank()) {
                throw new IllegalArgumentException("field 'benchmark' missing: not a JMH benchmark result");
            }
            if (mode == null || mode.isBlank()) {
                throw new IllegalArgumentException("field 'mode' missing: not a JMH benchmark result");
            }
            if (!primary) {
                throw new IllegalArgumentException("field 'primaryMetric' missing: not a JMH benchmark result");
            }
            if (iterations.stream().allMatch(Samples::isEmpty)) {
                throw new IllegalArgumentException("no raw samples (neither 'rawDataHistogram' nor 'rawData'): the benchmark failed or was run without raw data");
            }
            Map<String, String> ps = new LinkedHashMap<>();
            if (params != null && params.isObject()) {
                params.fields().forEachRemaining(e -> ps.put(e.getKey(), e.getValue().asText()));
            }
            Map<String, List<Double>> perIteration = secondaryIterations(secondary);
            Map<String, Double> sums = new LinkedHashMap<>();
            perIteration.forEach((k, v) -> sums.put(k, v.stream().mapToDouble(Double::doubleValue).sum()));
            return new Measurement(benchmark, mode, unit, ps, Samples.pooled(iterations), iterations, sums,
                    file.getFileName().toString(), forks, perIteration);
        }
    }

    private static Element element(JsonParser p) throws IOException {
        Element e = new Element();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.FIELD_NAME) {
                throw new JsonParseException(p, "unexpected end of input");
            }
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "benchmark" -> e.benchmark = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "mode" -> e.mode = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "params" -> e.params = Json.MAPPER.readTree(p);
                case "secondaryMetrics" -> e.secondary = Json.MAPPER.readTree(p);
                case "primaryMetric" -> primary(p, v, e);
                default -> p.skipChildren();
            }
        }
        return e;
    }

    private static void primary(JsonParser p, JsonToken start, Element e) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        e.primary = true;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.FIELD_NAME) {
                throw new JsonParseException(p, "unexpected end of input");
            }
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals("scoreUnit") && v == JsonToken.VALUE_STRING) {
                e.unit = p.getText();
            } else if (field.equals("rawDataHistogram") && v == JsonToken.START_ARRAY) {
                e.histogram = true;
                e.iterations.clear();
                e.forks.clear();
                // [fork][iteration][[value, count], ...]
                while (expectArrayOrEnd(p)) {
                    e.forks.add(0);
                    while (expectArrayOrEnd(p)) {
                        e.forks.set(e.forks.size() - 1, e.forks.get(e.forks.size() - 1) + 1);
                        double[] values = new double[64];
                        long[] counts = new long[64];
                        int n = 0;
                        while (expectArrayOrEnd(p)) {
                            if (n == values.length) {
                                values = Arrays.copyOf(values, 2 * n);
                                counts = Arrays.copyOf(counts, 2 * n);
                            }
                            values[n] = number(p);
                            counts[n++] = (long) number(p);
                            if (p.nextToken() != JsonToken.END_ARRAY) {
                                throw new JsonParseException(p, "field 'primaryMetric.rawDataHistogram': expected [value, count] pairs");
                            }
                        }
                        e.iterations.add(Samples.weighted(Arrays.copyOf(values, n), Arrays.copyOf(counts, n)));
                    }
                }
            } else if (field.equals("rawData") && v == JsonToken.START_ARRAY && !e.histogram) {
                e.raw = true;
                // [fork][iteration value]
                while (expectArrayOrEnd(p)) {
                    int n = 0;
                    for (JsonToken x = p.nextToken(); x != JsonToken.END_ARRAY; x = p.nextToken()) {
                        e.iterations.add(Samples.of(numberHere(p)));
                        n++;
                    }
                    e.forks.add(n);
                }
            } else {
                p.skipChildren();
            }
        }
    }

    /** Next token: true at the start of a nested array, false at the end of the enclosing one. */
    private static boolean expectArrayOrEnd(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_ARRAY) {
            return true;
        }
        if (t == JsonToken.END_ARRAY) {
            return false;
        }
        throw new JsonParseException(p, "unexpected " + t + " in raw data arrays");
    }

    private static double number(JsonParser p) throws IOException {
        p.nextToken();
        return numberHere(p);
    }

    private static double numberHere(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            // JMH writes NaN and infinities as strings
            return Double.parseDouble(p.getText());
        }
        throw new JsonParseException(p, "expected a number in raw data, found " + t);
    }

    /** Each secondary metric's values per iteration ([fork][iteration] flattened); summing them gives AuxCounters' totals. */
    private static Map<String, List<Double>> secondaryIterations(JsonNode sec) {
        Map<String, List<Double>> secondary = new LinkedHashMap<>();
        if (sec != null && sec.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = sec.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode r = e.getValue().get("rawData");
                // the percentile pseudo-metrics of sample mode have no raw data of their own: skip them
                if (r != null && r.isArray() && !e.getKey().startsWith("p0.") && !e.getKey().equals("p1.00")) {
                    List<Double> values = new ArrayList<>();
                    for (JsonNode fork : r) {
                        for (JsonNode v : fork) {
                            values.add(v.asDouble());
                        }
                    }
                    secondary.put(e.getKey(), List.copyOf(values));
                }
            }
        }
        return secondary;
    }
}
