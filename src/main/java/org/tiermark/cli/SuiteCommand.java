package org.tiermark.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.Matrix;
import org.tiermark.Suite;
import org.tiermark.report.RunReport;

/**
 * The main job ({@code mvn -P jmh verify} runs it): validates every profile and model, creates a new
 * run folder, builds missing variants, measures accuracy, runs the benchmark matrix one JMH run per
 * variant (so a crash loses one variant's results, not the run's), merges the JSON and writes the report.
 */
final class SuiteCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("home", "results", "matrix", "include", "params", "forks",
            "warmup-iterations", "warmup-time", "iterations", "time", "jvm-args", "baseline");
    private static final Set<String> FLAGS = Set.of("dry-run");
    /** Cold-start shots per fork = this x --iterations (each shot is one measurement iteration). */
    static final int COLD_START_SHOTS_PER_ITERATION = 4;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return "suite";
    }

    @Override
    public String summary() {
        return "build missing variants, run the benchmark matrix, write results/<run>/ (what mvn -P jmh verify runs)";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark suite [options]
                  --home DIR               project folder with profiles/, models/, data/ (default: .)
                  --results DIR            where run folders go (default: HOME/results)
                  --matrix SIZE            smoke | default | full (default: default)
                  --params FILTER          restrict cells, e.g. "model=minilm-l6;deployment=edge,cloud"
                  --include REGEX          only benchmark classes matching, e.g. DeploymentBenchmark
                  --forks N                JMH forks per cell (default 2)
                  --warmup-iterations N    (default 2)    --warmup-time T   (default 2s)
                  --iterations N           (default 3)    --time T          (default 3s)
                  --jvm-args "ARGS"        extra JVM arguments for the forks
                  --baseline RUN|JSON      fail when slower than this baseline (regression gate)
                  --dry-run                print the plan and exit
                Through Maven: mvn -P jmh verify -Dtiermark.matrix=full -Dtiermark.jmh.params=deployment=edge
                """;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(name(), argv, OPTIONS, FLAGS);
        Path home = Path.of(a.get("home", ".")).toAbsolutePath().normalize();
        Suite suite = Suite.load(home);
        Matrix.Size size = Matrix.parseSize(a.get("matrix", "default"));
        Matrix matrix = Matrix.plan(suite, size, operators(), this::stageCount).restrict(a.get("params", ""));
        JmhSettings jmh = new JmhSettings(a.getInt("forks", 2), a.getInt("warmup-iterations", 2),
                a.get("warmup-time", "2s"), a.getInt("iterations", 3), a.get("time", "3s"),
                a.get("jvm-args", ""), a.get("include", ""));
        jmh.validate();
        for (Matrix.Cell c : matrix.cells()) {
            suite.catalog().model(c.model());
        }
        if (matrix.cells().isEmpty()) {
            throw new InvalidInputException("the matrix is empty after --params '" + a.get("params", "") + "'");
        }
        System.out.printf("tiermark suite: %d cells (%s matrix), %d variants%n", matrix.cells().size(),
                size.name().toLowerCase(), matrix.deploymentsByVariant().size());
        if (a.has("dry-run")) {
            matrix.cells().forEach(c -> System.out.println("  " + c.model() + " / " + c.operator() + " / " + c.deployment()));
            return 0;
        }
        Path results = Path.of(a.get("results", home.resolve("results").toString())).toAbsolutePath();
        Path runDir = newRunFolder(results);
        System.out.println("tiermark suite: run folder " + runDir);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("schema", "tiermark-run/1");
        run.put("host", host());
        run.put("startedUtc", Instant.now().toString());
        run.put("cores", Runtime.getRuntime().availableProcessors());
        run.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        run.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        run.put("gitCommit", gitCommit(home));
        run.put("matrix", size.name().toLowerCase());
        run.put("params", a.get("params", ""));
        run.put("jmh", jmh);
        run.put("cells", matrix.cells());
        Json.writeAtomically(runDir.resolve("run.json"), run);

        List<Map<String, String>> failures = new ArrayList<>();
        List<Path> jsonFiles = runBenchmarks(suite, matrix, jmh, runDir, failures);
        mergeJson(jsonFiles, runDir.resolve("jmh.json"));
        run.put("finishedUtc", Instant.now().toString());
        run.put("failures", failures);
        Json.writeAtomically(runDir.resolve("run.json"), run);
        boolean gateFailed = false;
        try {
            gateFailed = RunReport.afterSuite(results, runDir, a.get("baseline", "")).gateFailed();
        } catch (IOException | RuntimeException e) {
            // the measurements are on disk already: report the failure, keep them
            failures.add(Map.of("group", "report", "error", String.valueOf(e)));
            Json.writeAtomically(runDir.resolve("run.json"), run);
        }
        if (gateFailed) {
            System.err.println("tiermark suite: the regression gate failed against " + a.get("baseline", "")
                    + " (see " + runDir.resolve("report.md") + ")");
            return 1;
        }
        if (!failures.isEmpty()) {
            System.err.println("tiermark suite: " + failures.size() + " benchmark group(s) failed; see " + runDir.resolve("run.json"));
            failures.forEach(f -> System.err.println("  " + f));
            return 1;
        }
        return 0;
    }

    /** The operators every model is measured with. */
    private List<String> operators() {
        return List.of("identity");
    }

    private int stageCount(String model, String operator) {
        return 1;
    }

    /** JMH settings shared by every group of the run; recorded in run.json. */
    record JmhSettings(int forks, int warmupIterations, String warmupTime, int iterations, String time,
                       String jvmArgs, String include) {
        void validate() {
            if (forks < 0 || forks > 50) {
                throw new InvalidInputException("--forks: must be 0..50 (got " + forks + ")");
            }
            if (warmupIterations < 0 || iterations < 1) {
                throw new InvalidInputException("--iterations must be >= 1 and --warmup-iterations >= 0");
            }
            for (String[] t : new String[][] {{"warmup-time", warmupTime}, {"time", time}}) {
                try {
                    TimeValue.fromString(t[1]);
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("--" + t[0] + ": '" + t[1] + "' is not a JMH time such as 500ms, 2s, 1m");
                }
            }
            if (!include.isEmpty()) {
                try {
                    Pattern.compile(include);
                } catch (RuntimeException e) {
                    throw new InvalidInputException("--include: not a regular expression: " + include);
                }
            }
        }

        boolean includes(String benchmarkClass) {
            return include.isEmpty() || Pattern.compile(include).matcher(benchmarkClass).find();
        }
    }

    /** One JMH run per group; a group that fails is recorded and the others still run. */
    private List<Path> runBenchmarks(Suite suite, Matrix matrix, JmhSettings jmh, Path runDir,
                                     List<Map<String, String>> failures) throws IOException {
        List<Group> groups = new ArrayList<>();
        List<String> models = new ArrayList<>();
        for (Map.Entry<List<String>, List<String>> e : matrix.deploymentsByVariant().entrySet()) {
            String model = e.getKey().get(0);
            String operator = e.getKey().get(1);
            groups.add(new Group("DeploymentBenchmark", "request", Map.of("model", List.of(model),
                    "operator", List.of(operator), "deployment", e.getValue(), "linkDelay", List.of("simulated"))));
            List<String> cold = e.getValue().stream().filter(d -> matrix.size() == Matrix.Size.FULL
                    || d.equals("edge") || d.equals("mobile-edge")).toList();
            if (!cold.isEmpty()) {
                groups.add(new Group("ColdStartBenchmark", "sessionAndFirstRequest", Map.of("model", List.of(model),
                        "operator", List.of(operator), "deployment", cold, "linkDelay", List.of("simulated"))));
            }
            if (!models.contains(model)) {
                models.add(model);
            }
        }
        for (String model : models) {
            groups.add(new Group("HarnessOverheadBenchmark", null, Map.of("model", List.of(model))));
        }
        groups.add(new Group("LinkWaitBenchmark", null, Map.of()));

        List<Path> out = new ArrayList<>();
        Path jmhDir = Files.createDirectories(runDir.resolve("jmh"));
        int index = 0;
        for (Group g : groups) {
            if (!jmh.includes(g.benchmark)) {
                continue;
            }
            index++;
            String label = String.format("%02d-%s%s", index, g.benchmark, g.params.containsKey("model")
                    ? "-" + String.join("_", g.params.get("model")) + (g.params.containsKey("operator")
                    ? "-" + String.join("_", g.params.get("operator")).replace('+', '_') : "") : "");
            Path json = jmhDir.resolve(label + ".json");
            String include = "^" + Pattern.quote("org.tiermark.bench." + g.benchmark + ".")
                    + (g.method == null ? ".*" : Pattern.quote(g.method)) + "$";
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(include)
                    .forks(jmh.forks)
                    .warmupIterations(jmh.warmupIterations)
                    .measurementIterations(jmh.iterations)
                    .resultFormat(ResultFormatType.JSON)
                    .result(json.toString())
                    .shouldFailOnError(false)
                    .jvmArgsAppend(forkArgs(suite, runDir, jmh));
            if (g.benchmark.equals("ColdStartBenchmark")) {
                // one shot per iteration: take more of them than timed iterations
                o.measurementIterations(COLD_START_SHOTS_PER_ITERATION * jmh.iterations);
            } else {
                o.warmupTime(TimeValue.fromString(jmh.warmupTime)).measurementTime(TimeValue.fromString(jmh.time));
            }
            g.params.forEach((k, v) -> o.param(k, v.toArray(String[]::new)));
            System.out.println("tiermark suite: [" + index + "] " + g.benchmark + " " + g.params);
            int expected = g.params.values().stream().mapToInt(List::size).reduce(1, (x, y) -> x * y)
                    * (g.method == null ? methods(g.benchmark) : 1);
            try {
                var results = new Runner(o.build()).run();
                if (results.size() < expected) {
                    failures.add(Map.of("group", label, "error", (expected - results.size())
                            + " of " + expected + " benchmarks produced no result (see the JMH output above)"));
                }
                if (Files.exists(json)) {
                    out.add(json);
                }
            } catch (RunnerException | RuntimeException e) {
                failures.add(Map.of("group", label, "error", String.valueOf(e.getMessage())));
                if (Files.exists(json)) {
                    out.add(json);
                }
            }
        }
        return out;
    }

    private static int methods(String benchmark) {
        return benchmark.equals("HarnessOverheadBenchmark") ? 2 : 1;
    }

    private static String[] forkArgs(Suite suite, Path runDir, JmhSettings jmh) {
        List<String> args = new ArrayList<>(List.of("-D" + Suite.HOME_PROPERTY + "=" + suite.home(),
                "-Dtiermark.run.dir=" + runDir, "-Djava.awt.headless=true", "-Dai.djl.offline=true"));
        if (!jmh.jvmArgs.isBlank()) {
            args.addAll(List.of(jmh.jvmArgs.trim().split("\\s+")));
        }
        return args.toArray(String[]::new);
    }

    /** A benchmark class (and method, or all) with its parameter values: one JMH run. */
    private record Group(String benchmark, String method, Map<String, List<String>> params) {}

    /** Concatenates the JMH JSON arrays of the groups into one array. */
    static void mergeJson(List<Path> files, Path target) throws IOException {
        var merged = Json.MAPPER.createArrayNode();
        for (Path f : files) {
            var node = Json.MAPPER.readTree(f.toFile());
            if (node != null && node.isArray()) {
                node.forEach(merged::add);
            }
        }
        Json.writeAtomically(target, merged);
    }

    /** A new folder {@code <UTC stamp>-<host>} that did not exist before: runs are never overwritten. */
    static Path newRunFolder(Path results) throws IOException {
        Files.createDirectories(results);
        String base = STAMP.format(Instant.now()) + "-" + host();
        for (int i = 1; ; i++) {
            Path dir = results.resolve(i == 1 ? base : base + "-" + i);
            try {
                return Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another run started in the same second: take the next suffix
            }
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static String gitCommit(Path home) {
        try {
            Process p = new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
