package org.tiermark.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.tiermark.Benchmarks;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.Targets;
import org.tiermark.accuracy.AccuracyReport;

/**
 * What a report reads: a run folder ({@code jmh.json} or {@code jmh/*.json}, {@code accuracy.json},
 * {@code run.json}, {@code stages/*.json}, {@code targets.json}), a single JMH JSON file or a samples CSV.
 *
 * <p>Targets: {@code --targets FILE} if given, else the run folder's {@code targets.json} (the suite
 * copies it there), else {@code profiles/targets.json} of {@code -Dtiermark.home} or the working
 * directory (older runs, a bare JMH JSON, the studies' CSV), else none. The benchmarks the run
 * declared (which one makes the headline table) come the same way from {@code benchmarks.json}.
 */
public record RunInputs(Path location, List<Measurement> measurements, Accuracy accuracy, RunFile run,
                        List<StageFiles.Trial> stages, Targets targets, Benchmarks benchmarks, List<String> inputs,
                        List<String> problems) {
    public static final String TARGETS_FILE = "targets.json";
    public static final String BENCHMARKS_FILE = "benchmarks.json";

    /** Loads {@code path} with no accuracy file of its own choosing and the default targets. */
    public static RunInputs load(Path path, Path accuracyFile) {
        return load(path, accuracyFile, null);
    }

    /**
     * Loads {@code path}; unreadable parts of a run folder become problems. A path that is none of the
     * known kinds, or an accuracy or targets file named explicitly that is missing or broken, is an error.
     */
    public static RunInputs load(Path path, Path accuracyFile, Path targetsFile) {
        List<String> problems = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        Readout readout = new Readout(List.of(), List.of());
        RunFile run = RunFile.none();
        List<StageFiles.Trial> stages = List.of();
        Path accuracyPath = accuracyFile;
        Path targetsPath = targetsFile;
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
            if (targetsPath == null && Files.isRegularFile(path.resolve(TARGETS_FILE))) {
                targetsPath = path.resolve(TARGETS_FILE);
            }
            run = RunFile.read(path, problems);
            stages = StageFiles.read(path, problems);
        } else if (Files.isRegularFile(path)) {
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
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
            if (accuracyFile != null && !Files.isRegularFile(accuracyFile)) {
                throw new InvalidInputException("--accuracy " + accuracyFile + ": no such file; give an accuracy.json written by 'tiermark accuracy'");
            }
            AccuracyReport.Read read = AccuracyReport.read(accuracyPath);
            boolean foreign = read.report().entries().isEmpty() && read.report().errors().isEmpty() && !read.problems().isEmpty();
            if (accuracyFile != null && foreign) {
                throw new InvalidInputException("--accuracy " + accuracyFile + ": " + String.join("; ", read.problems()));
            }
            accuracy = Accuracy.of(read);
            inputs.add(accuracyPath.toString());
            problems.addAll(accuracy.problems());
        }
        Targets targets = null;
        if (targetsPath == null) {
            targetsPath = projectTargets();
        } else if (!Files.isRegularFile(targetsPath)) {
            throw new InvalidInputException("--targets " + targetsPath + ": no such file; give a targets file like " + Targets.FILE);
        }
        if (targetsPath != null) {
            try {
                targets = Json.read(targetsPath, Targets.class);
                inputs.add(targetsPath.toString());
            } catch (InvalidInputException e) {
                if (targetsFile != null) {
                    throw e;
                }
                // a run's own broken copy must not stop its report: the measurements are still worth showing
                problems.add(e.getMessage() + ": targets not checked");
            }
        }
        Benchmarks benchmarks = null;
        Path benchmarksPath = Files.isDirectory(path) && Files.isRegularFile(path.resolve(BENCHMARKS_FILE))
                ? path.resolve(BENCHMARKS_FILE) : projectFile(Benchmarks.FILE);
        if (benchmarksPath != null) {
            try {
                benchmarks = Json.read(benchmarksPath, Benchmarks.class);
                inputs.add(benchmarksPath.toString());
            } catch (InvalidInputException e) {
                problems.add(e.getMessage() + ": no headline table");
            }
        }
        return new RunInputs(path, readout.measurements(), accuracy, run, stages, targets, benchmarks, inputs, problems);
    }

    /** The {@code Class.method} of the headline table's benchmark, or null when no benchmarks file was found. */
    public String headline() {
        return benchmarks == null ? null : benchmarks.headline();
    }

    /** The project's targets for runs that carry none: {@code -Dtiermark.home} or the working directory. */
    private static Path projectTargets() {
        return projectFile(Targets.FILE);
    }

    /** {@code relative} in {@code -Dtiermark.home} or the working directory, or null when it is not there. */
    private static Path projectFile(String relative) {
        Path file = Path.of(System.getProperty(Suite.HOME_PROPERTY, ".")).resolve(relative);
        return Files.isRegularFile(file) ? file : null;
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
