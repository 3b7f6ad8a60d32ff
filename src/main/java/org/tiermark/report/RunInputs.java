package org.tiermark.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;

/**
 * What a report reads: a run folder ({@code jmh.json} or {@code jmh/*.json}, {@code accuracy.json},
 * {@code run.json}, {@code stages/*.json}), a single JMH JSON file or a samples CSV.
 */
public record RunInputs(Path location, List<Measurement> measurements, Accuracy accuracy, Map<String, Object> run,
                        List<JsonNode> stages, List<String> inputs, List<String> problems) {

    /** Loads {@code path}; unreadable parts become problems, a path that is none of the known kinds is an error. */
    public static RunInputs load(Path path, Path accuracyFile) {
        List<String> problems = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        Readout readout = new Readout(List.of(), List.of());
        Map<String, Object> run = new LinkedHashMap<>();
        List<JsonNode> stages = new ArrayList<>();
        Path accuracyPath = accuracyFile;
        if (Files.isDirectory(path)) {
            Path jmh = path.resolve("jmh.json");
            if (Files.isRegularFile(jmh)) {
                readout = JmhReader.read(jmh);
                inputs.add(jmh.toString());
            } else {
                List<Path> parts = list(path.resolve("jmh"), ".json");
                if (parts.isEmpty()) {
                    problems.add(path + ": no jmh.json and no jmh/*.json: nothing was measured (did every benchmark fail?)");
                }
                for (Path p : parts) {
                    readout = readout.plus(JmhReader.read(p));
                    inputs.add(p.toString());
                }
            }
            for (Path csv : list(path, ".csv").stream().filter(p -> p.getFileName().toString().startsWith("samples")).toList()) {
                readout = readout.plus(SamplesCsvReader.read(csv));
                inputs.add(csv.toString());
            }
            if (accuracyPath == null && Files.isRegularFile(path.resolve("accuracy.json"))) {
                accuracyPath = path.resolve("accuracy.json");
            }
            Path runJson = path.resolve("run.json");
            if (Files.isRegularFile(runJson)) {
                try {
                    JsonNode n = Json.MAPPER.readTree(Files.readString(runJson));
                    if (n != null && n.isObject()) {
                        n.fields().forEachRemaining(e -> run.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class)));
                    }
                } catch (IOException e) {
                    problems.add(runJson + ": not valid JSON, run metadata left out: " + e.getMessage());
                }
            }
            for (Path s : list(path.resolve("stages"), ".json")) {
                try {
                    stages.add(Json.MAPPER.readTree(Files.readString(s)));
                } catch (IOException e) {
                    problems.add(s + ": not valid JSON, stage info left out: " + e.getMessage());
                }
            }
        } else if (Files.isRegularFile(path)) {
            String name = path.getFileName().toString().toLowerCase();
            if (name.endsWith(".csv")) {
                readout = SamplesCsvReader.read(path);
            } else if (name.endsWith(".json")) {
                readout = JmhReader.read(path);
            } else {
                throw new InvalidInputException(path + ": not a run folder, JMH JSON (.json) or samples CSV (.csv)");
            }
            inputs.add(path.toString());
        } else {
            throw new InvalidInputException(path + ": no such run folder or file; give a results/<run> folder, a JMH JSON or a samples CSV");
        }
        problems.addAll(readout.problems());
        Accuracy accuracy = Accuracy.none();
        if (accuracyPath != null) {
            accuracy = Accuracy.read(accuracyPath);
            inputs.add(accuracyPath.toString());
            problems.addAll(accuracy.problems());
        }
        return new RunInputs(path, readout.measurements(), accuracy, run, stages, inputs, problems);
    }

    /** Only the measurements of a run folder or file (baselines, comparisons). */
    public static List<Measurement> measurements(Path path, List<String> problems) {
        RunInputs r = load(path, null);
        problems.addAll(r.problems());
        return r.measurements();
    }

    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
