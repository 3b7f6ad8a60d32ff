package org.tiermark.suite;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;

/**
 * Mean time per call of each benchmark cell in earlier runs' JMH JSON: what the sample planner
 * predicts a cell's request time from before anything is measured. A cell's time is the one of the
 * newest run that measured it, so a narrow run (a smoke run, {@code --params}) does not hide the
 * cells older runs measured.
 *
 * @param source where the times come from (JMH JSON files, newest first), or empty when there is no earlier run
 * @param times  one entry per JMH result, newest run first
 */
public record RequestTimes(String source, List<Timed> times) {
    /** The checked-in runs a fresh clone predicts from when results/ holds no run yet. */
    public static final String REFERENCE_RUNS = "docs/runs";

    public RequestTimes {
        times = List.copyOf(times);
    }

    /**
     * One result of an earlier run.
     *
     * @param run           the JMH JSON it comes from
     * @param benchmark     simple class name, e.g. {@code DeploymentBenchmark}
     * @param method        the {@code @Benchmark} method
     * @param params        its {@code @Param} values
     * @param meanMs        mean time per call in milliseconds
     */
    public record Timed(String run, String benchmark, String method, Map<String, String> params, double meanMs) {
        public Timed {
            params = Map.copyOf(params);
        }
    }

    /** No earlier run: every cell is unpredicted. */
    public static RequestTimes none() {
        return new RequestTimes("", List.of());
    }

    /**
     * The times of {@code prior} (a run folder or a JMH JSON) when given; else of every run in
     * {@code results} and in the checked-in reference runs, newest first (a run folder's name starts
     * with its UTC start time); else none.
     */
    public static RequestTimes find(Path home, Path results, String prior) throws IOException {
        if (prior != null && !prior.isBlank()) {
            Path p = Path.of(prior);
            Path json = Files.isDirectory(p) ? p.resolve("jmh.json") : p;
            if (!Files.isRegularFile(json)) {
                throw new InvalidInputException("--prior: " + json + " not found; give a run folder (results/<run>) or a JMH JSON file");
            }
            return load(json);
        }
        List<Path> runs = new ArrayList<>(runs(results));
        runs.addAll(runs(home.resolve(REFERENCE_RUNS)));
        runs.sort(Comparator.comparing((Path p) -> p.getParent().getFileName().toString()).reversed());
        List<Timed> all = new ArrayList<>();
        for (Path json : runs) {
            try {
                all.addAll(load(json).times());
            } catch (InvalidInputException | IOException e) {
                // a run killed while writing, or a foreign file: predict from the others
                System.err.println("tiermark suite: not predicting from " + json + ": " + e.getMessage());
            }
        }
        return all.isEmpty() ? none() : new RequestTimes(runs.size() + " earlier runs, newest " + runs.get(0), all);
    }

    /**
     * The JMH JSON of each run folder in {@code dir}, but a bandwidth sweep's points: measured at another
     * bandwidth than the profile's, they would predict other times, and a sweep's later points would leave out
     * other cells than its first (every point of a sweep predicts from the same earlier runs).
     */
    private static List<Path> runs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> runs = Files.list(dir)) {
            return runs.filter(Files::isDirectory).filter(d -> !Files.isSymbolicLink(d)).filter(d -> !sweepPoint(d))
                    .map(d -> d.resolve("jmh.json")).filter(Files::isRegularFile).toList();
        }
    }

    private static boolean sweepPoint(Path runDir) {
        Path run = runDir.resolve(RunRecord.FILE);
        try {
            return Files.isRegularFile(run) && Json.MAPPER.readTree(run.toFile()).hasNonNull("sweep");
        } catch (IOException e) {
            return false; // not a run.json this reads: the run is judged by its jmh.json as before
        }
    }

    /** Reads a JMH JSON file; a file that is not one is an error naming it. */
    public static RequestTimes load(Path json) throws IOException {
        JsonNode root = Json.MAPPER.readTree(json.toFile());
        if (root == null || !root.isArray()) {
            throw new InvalidInputException(json + ": not a JMH JSON result array");
        }
        List<Timed> out = new ArrayList<>();
        for (JsonNode r : root) {
            String[] name = r.path("benchmark").asText("").split("\\.");
            JsonNode metric = r.path("primaryMetric");
            if (name.length < 2 || !metric.has("score")) {
                throw new InvalidInputException(json + ": a result without benchmark or primaryMetric.score");
            }
            Map<String, String> params = new LinkedHashMap<>();
            r.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            double ms = toMs(metric.path("score").asDouble(), metric.path("scoreUnit").asText(""), json);
            out.add(new Timed(json.toString(), name[name.length - 2], name[name.length - 1], params, ms));
        }
        return new RequestTimes(json.toString(), out);
    }

    private static double toMs(double score, String unit, Path json) {
        return switch (unit) {
            case "ns/op" -> score / 1e6;
            case "us/op" -> score / 1e3;
            case "ms/op" -> score;
            case "s/op" -> score * 1e3;
            default -> throw new InvalidInputException(json + ": score unit '" + unit + "' is not a time per call"
                    + " (valid: ns/op, us/op, ms/op, s/op)");
        };
    }

    /**
     * The mean time of {@code benchmark.method} at {@code params} in the newest run that measured it
     * (every given param must match; the run may have more, and of several matches the slowest
     * counts), or empty when no earlier run measured that cell.
     */
    public OptionalDouble meanMs(String benchmark, String method, Map<String, String> params) {
        List<Timed> matches = times.stream().filter(t -> t.benchmark().equals(benchmark) && t.method().equals(method))
                .filter(t -> params.entrySet().stream().allMatch(e -> e.getValue().equals(t.params().get(e.getKey()))))
                .toList();
        if (matches.isEmpty()) {
            return OptionalDouble.empty();
        }
        String newest = matches.get(0).run();
        return matches.stream().filter(t -> t.run().equals(newest)).mapToDouble(Timed::meanMs).max();
    }
}
