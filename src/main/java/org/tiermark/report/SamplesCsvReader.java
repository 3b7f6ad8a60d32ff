package org.tiermark.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads external latency samples in the studies' CSV format: a value in seconds, the deployment and
 * the model followed by operator words ({@code "9.49\n",Mobile,ResNet Quantize EarlyExit}). Quoted
 * fields may hold commas and newlines. Operator words become this project's operator names
 * ({@code Quantize EarlyExit} -> {@code sptq+early-exit}); one measurement per model, operator and
 * deployment, benchmark named after the file.
 */
public final class SamplesCsvReader {
    /** The studies' operator words and the operator each stands for. */
    private static final Map<String, String> OPERATOR_WORDS = Map.ofEntries(
            Map.entry("quantize", "sptq"), Map.entry("quantized", "sptq"), Map.entry("sptq", "sptq"),
            Map.entry("earlyexit", "early-exit"), Map.entry("early-exit", "early-exit"),
            Map.entry("qat", "qat"), Map.entry("pruned", "prune"), Map.entry("prune", "prune"),
            Map.entry("distilled", "distill"), Map.entry("distill", "distill"),
            Map.entry("partition", "partition"), Map.entry("partitioned", "partition"));

    private static final List<String> VALUE_HEADERS = List.of("inference", "value", "latency", "seconds", "latency_s");
    private static final List<String> DEPLOYMENT_HEADERS = List.of("device", "deployment");
    private static final List<String> MODEL_HEADERS = List.of("model");
    private static final List<String> OPERATOR_HEADERS = List.of("operator");

    private SamplesCsvReader() {}

    /** The operator named by the words after the model name; none is {@code identity}. */
    public static String operator(List<String> words) {
        if (words.isEmpty()) {
            return "identity";
        }
        List<String> ops = new ArrayList<>();
        for (String w : words) {
            String lw = w.toLowerCase(Locale.ROOT);
            ops.add(OPERATOR_WORDS.getOrDefault(lw, lw));
        }
        return String.join("+", ops);
    }

    /** Reads {@code file}; rows that cannot be read are counted in the problems, the rest is kept. */
    public static Readout read(Path file) {
        List<String> problems = new ArrayList<>();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Readout(List.of(), List.of(file + ": file not found"));
        } catch (IOException e) {
            return new Readout(List.of(), List.of(file + ": cannot read: " + e.getMessage()));
        }
        List<List<String>> rows = parse(text);
        if (rows.isEmpty()) {
            return new Readout(List.of(), List.of(file + ": empty CSV"));
        }
        List<String> header = rows.get(0).stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        int value = column(header, VALUE_HEADERS);
        int deployment = column(header, DEPLOYMENT_HEADERS);
        int model = column(header, MODEL_HEADERS);
        int operator = column(header, OPERATOR_HEADERS);
        if (value < 0 || deployment < 0 || model < 0) {
            return new Readout(List.of(), List.of(file + ": not a samples CSV: header " + rows.get(0)
                    + " needs a value column (one of " + VALUE_HEADERS + "), a deployment column (" + DEPLOYMENT_HEADERS
                    + ") and a model column (" + MODEL_HEADERS + ")"));
        }
        String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
        Map<List<String>, List<Double>> groups = new LinkedHashMap<>();
        int bad = 0;
        String firstBad = null;
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.get(0).isBlank()) {
                continue;
            }
            try {
                double v = Double.parseDouble(row.get(value).trim());
                String[] words = row.get(model).trim().split("\\s+");
                String m = words[0];
                String op = operator >= 0 ? row.get(operator).trim()
                        : operator(List.of(words).subList(1, words.length));
                String d = row.get(deployment).trim().toLowerCase(Locale.ROOT);
                if (m.isEmpty() || d.isEmpty() || !Double.isFinite(v)) {
                    throw new IllegalArgumentException("empty field");
                }
                groups.computeIfAbsent(List.of(m, op, d), k -> new ArrayList<>()).add(v);
            } catch (RuntimeException e) {
                if (bad++ == 0) {
                    firstBad = "row " + (r + 1) + " " + row;
                }
            }
        }
        if (bad > 0) {
            problems.add(file + ": " + bad + " rows skipped (not a number or missing fields), first: " + firstBad);
        }
        List<Measurement> out = new ArrayList<>();
        for (var e : groups.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            Map<String, String> params = Map.of("model", e.getKey().get(0), "operator", e.getKey().get(1),
                    "deployment", e.getKey().get(2));
            Samples s = Samples.of(v);
            // each request of the studies is independent: every sample is its own resampling unit
            out.add(new Measurement(name, "sample", "s/op", params, s, List.of(s), Map.of(), file.getFileName().toString()));
        }
        return new Readout(out, problems);
    }

    private static int column(List<String> header, List<String> names) {
        for (String n : names) {
            int i = header.indexOf(n);
            if (i >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 4180 CSV: quoted fields may contain commas, doubled quotes and newlines. */
    static List<List<String>> parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || field.length() > 0) {
                    row.add(field.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                field.setLength(0);
                any = false;
            } else {
                field.append(c);
                any = true;
            }
        }
        if (any || field.length() > 0) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
