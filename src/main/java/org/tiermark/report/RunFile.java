package org.tiermark.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tiermark.Json;

/**
 * What the report reads of a run's {@code run.json}: the one place that knows its fields, tolerant of
 * fields it does not know (the suite owns the file and adds to it). A run folder without one, or a
 * bare JMH JSON, has an empty one.
 *
 * @param fields every field as read, for the report's header and report.json
 */
public record RunFile(Map<String, Object> fields) {
    public static final String NAME = "run.json";

    public RunFile {
        fields = new LinkedHashMap<>(fields);
    }

    /** No run.json. */
    public static RunFile none() {
        return new RunFile(Map.of());
    }

    /** Reads {@code runDir/run.json} if there is one; a broken one becomes a problem. */
    static RunFile read(Path runDir, List<String> problems) {
        Path file = runDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return none();
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(file));
            if (n != null && n.isObject()) {
                n.fields().forEachRemaining(e -> fields.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class)));
            }
        } catch (IOException e) {
            problems.add(file + ": not valid JSON, run metadata left out: " + e.getMessage());
        }
        return new RunFile(fields);
    }

    /**
     * Why the run is incomplete, when its run.json was written at the start but never finished (the
     * suite writes {@code finishedUtc} last: without it the run was killed or is still running).
     */
    public Optional<String> interruption() {
        if (fields.isEmpty() || fields.containsKey("finishedUtc")) {
            return Optional.empty();
        }
        return Optional.of("this run did not finish (run.json has no finishedUtc; started " + fields.getOrDefault("startedUtc", "?")
                + "): it was killed or is still running, and its results are partial");
    }

    /**
     * How this run's machine differs from {@code baseline}'s (host, cores, JVM, OS), in words: a gate
     * across machines or JVMs measures the machines as much as the code.
     */
    public List<String> machineDifferences(RunFile baseline) {
        List<String> out = new ArrayList<>();
        for (String field : List.of("host", "cores", "java", "os")) {
            Object now = fields.get(field);
            Object then = baseline.fields.get(field);
            if (now != null && then != null && !now.equals(then)) {
                out.add("measured with a different " + field + " (" + then + " vs " + now + " now): differences may be the machine's, not the code's");
            }
        }
        return out;
    }

    /** Variants that were not built, so their cells were not measured. */
    public List<String> skipped() {
        return strings("skipped");
    }

    /** Failures the suite recorded. */
    public List<String> failures() {
        return strings("failures");
    }

    private List<String> strings(String field) {
        List<String> out = new ArrayList<>();
        if (fields.get(field) instanceof List<?> l) {
            l.forEach(x -> out.add(String.valueOf(x)));
        }
        return out;
    }
}
