package org.tiermark.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tiermark.Json;
import org.tiermark.accuracy.AccuracyReport;

/**
 * Accuracy as the report sees it: our own {@code accuracy.json} (read through
 * {@link AccuracyReport}, the one definition of its format) and the accuracies the studies
 * published, shown beside ours.
 */
public final class Accuracy {
    /** Accuracy as the studies published it, in percent. */
    public record Published(String model, String operator, String metric, double percent) {}

    /**
     * Accuracy of a model's operator in percent (points), ours first, else the studies' published figure.
     *
     * @param low  lower end of the 95% interval in percent, or null when none is known (published figures)
     * @param high upper end of the 95% interval in percent, or null
     */
    public record Figure(double percent, String source, String metric, Double low, Double high) {}

    private final List<AccuracyReport.Entry> entries;
    private final List<String> problems;

    private Accuracy(List<AccuracyReport.Entry> entries, List<String> problems) {
        this.entries = List.copyOf(entries);
        this.problems = List.copyOf(problems);
    }

    /** No accuracy known. */
    public static Accuracy none() {
        return new Accuracy(List.of(), List.of());
    }

    /** Reads an accuracy file; problems (bad schema, failed variants, broken entries) are kept, valid entries used. */
    public static Accuracy read(Path file) {
        return of(AccuracyReport.read(file));
    }

    /** The accuracy of a file already read. */
    static Accuracy of(AccuracyReport.Read r) {
        return new Accuracy(r.report().entries(), r.problems());
    }

    public List<AccuracyReport.Entry> entries() {
        return entries;
    }

    public List<String> problems() {
        return problems;
    }

    public Optional<AccuracyReport.Entry> find(String model, String operator) {
        return entries.stream().filter(e -> e.model().equals(model) && e.operator().equals(operator)).findFirst();
    }

    /** Ours when measured (a fraction becomes percent), else the published figure, else null. */
    public Figure figure(Map<String, Map<String, Double>> published, String model, String operator) {
        Optional<AccuracyReport.Entry> e = find(model, operator);
        if (e.isPresent()) {
            double v = e.get().value();
            double scale = v <= 1.0 ? 100 : 1;
            double[] ci = e.get().ci95();
            boolean hasCi = ci != null && ci.length == 2;
            return new Figure(scale * v, "tiermark", e.get().metric(), hasCi ? scale * ci[0] : null, hasCi ? scale * ci[1] : null);
        }
        Map<String, Double> p = published.get(model);
        if (p != null && p.containsKey(operator)) {
            return new Figure(p.get(operator), "published", "published", null, null);
        }
        return null;
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
