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
import org.tiermark.accuracy.AccuracyStep;
import org.tiermark.operator.Operator;
import org.tiermark.report.RunReport;

/**
 * The main job ({@code mvn -P jmh verify} runs it): validates every profile and model, creates a new
 * run folder, builds missing variants, measures accuracy, runs the benchmark matrix one JMH run per
 * variant (so a crash loses one variant's results, not the run's), merges the JSON and writes the report.
 */
final class SuiteCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("home", "results", "matrix", "include", "params", "forks",
            "warmup-iterations", "warmup-time", "iterations", "time", "jvm-args", "baseline");
    private static final Set<String> FLAGS = Set.of("dry-run", "skip-accuracy");
    /** Forks per cell when a baseline is given and --forks is not. */
    static final int GATE_MIN_FORKS = 3;
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
                  --forks N                JMH forks per cell        (smoke 1, default 1, full 3)
                  --warmup-iterations N    (1, 1, 2)       --warmup-time T   (1s, 1s, 2s)
                  --iterations N           (2, 3, 5)       --time T          (1s, 1s, 3s)
                  --jvm-args "ARGS"        extra JVM arguments for the forks
                  --baseline RUN|JSON      fail when slower than this baseline (regression gate);
                                           forks default to 3 then, so run-to-run noise is sampled
                  --skip-accuracy          measure latency only
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
        Matrix matrix = Matrix.plan(suite, size, operators(size), (model, op) -> Operator.parse(op).stageCount())
                .restrict(a.get("params", ""));
        JmhSettings d = JmhSettings.defaults(size);
        // the gate needs run-to-run variance in its samples: one fork cannot show it (an A/A pair of
        // 1-fork runs differed by 15% on one cell here), three forks did not trip it
        boolean gating = !a.get("baseline", "").isBlank();
        if (gating && !Files.exists(Path.of(a.get("baseline", "").trim()))) {
            throw new InvalidInputException("--baseline: " + a.get("baseline", "").trim()
                    + " not found; give a run folder (results/<run>) or a JMH JSON file");
        }
        int forks = a.getInt("forks", gating ? Math.max(d.forks, GATE_MIN_FORKS) : d.forks);
        if (gating && forks < GATE_MIN_FORKS) {
            System.err.println("tiermark suite: warning: --forks " + forks + " with a baseline: run-to-run noise is not sampled"
                    + " and the gate may trip on it; use at least " + GATE_MIN_FORKS);
        }
        JmhSettings jmh = new JmhSettings(forks, a.getInt("warmup-iterations", d.warmupIterations),
                a.get("warmup-time", d.warmupTime), a.getInt("iterations", d.iterations), a.get("time", d.time),
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
        List<Map<String, String>> skipped = new ArrayList<>();
        matrix = buildVariants(suite, matrix, skipped);
        run.put("skipped", skipped);
        run.put("measuredCells", matrix.cells());
        Json.writeAtomically(runDir.resolve("run.json"), run);
        if (!a.has("skip-accuracy")) {
            measureAccuracy(suite, matrix, size, runDir, failures);
        }
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

    /**
     * The operators every model is measured with: the black-box operators of the studies and their
     * hybrids by default; every composition in the full matrix.
     */
    static List<String> operators(Matrix.Size size) {
        return switch (size) {
            case SMOKE -> List.of("identity");
            case DEFAULT -> List.of("identity", "sptq", "partition", "early-exit", "sptq+partition", "sptq+early-exit");
            case FULL -> {
                List<String> all = new ArrayList<>(List.of("identity"));
                all.addAll(Operator.BLACK_BOX);
                yield all;
            }
        };
    }

    /**
     * Builds every missing or stale variant before anything is measured. A variant an operator cannot
     * make from a model (e.g. early exit on a network without blocks to skip) is dropped from the
     * matrix, printed and recorded with its reason in run.json: never skipped silently.
     */
    private static Matrix buildVariants(Suite suite, Matrix matrix, List<Map<String, String>> skipped) {
        Set<List<String>> dropped = new java.util.HashSet<>();
        for (List<String> variant : matrix.deploymentsByVariant().keySet()) {
            String model = variant.get(0);
            String operator = variant.get(1);
            if (operator.equals("identity")) {
                continue;
            }
            long t = System.nanoTime();
            try {
                suite.variants().ensure(model, operator);
                System.out.printf("tiermark suite: variant %s/%s ready (%.1f s)%n", model, operator, (System.nanoTime() - t) / 1e9);
            } catch (InvalidInputException | IllegalStateException e) {
                dropped.add(variant);
                skipped.add(Map.of("model", model, "operator", operator, "reason", String.valueOf(e.getMessage())));
                System.out.println("tiermark suite: SKIPPED " + model + "/" + operator + ": " + e.getMessage());
            }
        }
        return matrix.without(dropped);
    }

    /** Accuracy of every measured variant; its failure is recorded and the latency run still happens. */
    private static void measureAccuracy(Suite suite, Matrix matrix, Matrix.Size size, Path runDir,
                                        List<Map<String, String>> failures) {
        List<String[]> pairs = new ArrayList<>();
        for (List<String> v : matrix.deploymentsByVariant().keySet()) {
            if (suite.catalog().models().get(v.get(0)).descriptor().evaluation() != null) {
                pairs.add(new String[] {v.get(0), v.get(1)});
            }
        }
        if (pairs.isEmpty()) {
            return;
        }
        String set = size == Matrix.Size.FULL ? "large" : "small";
        long t = System.nanoTime();
        try {
            var report = AccuracyStep.run(suite, pairs, set, runDir);
            System.out.printf("tiermark suite: accuracy of %d variants on the %s sets (%.0f s), %d errors%n",
                    report.entries().size(), set, (System.nanoTime() - t) / 1e9, report.errors().size());
            report.errors().forEach(e -> failures.add(Map.of("group", "accuracy " + e.model() + "/" + e.operator(),
                    "error", String.valueOf(e.message()))));
        } catch (IOException | RuntimeException e) {
            failures.add(Map.of("group", "accuracy", "error", String.valueOf(e)));
            System.err.println("tiermark suite: accuracy step failed: " + e);
        }
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

        /**
         * Harness defaults per matrix size: the default matrix finishes in under 30 minutes on 2 cores;
         * the full one takes the samples a publication would want.
         */
        static JmhSettings defaults(Matrix.Size size) {
            return switch (size) {
                case SMOKE -> new JmhSettings(1, 1, "1s", 2, "1s", "", "");
                case DEFAULT -> new JmhSettings(1, 1, "1s", 3, "1s", "", "");
                case FULL -> new JmhSettings(3, 2, "2s", 5, "3s", "", "");
            };
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
            // the studies' figures contained a session per request; the default measures that for
            // the unchanged model on edge, the full matrix for every cell
            List<String> cold = matrix.size() == Matrix.Size.FULL ? e.getValue()
                    : operator.equals("identity") ? e.getValue().stream().filter(d -> d.equals("edge")).toList() : List.of();
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
        groups.addAll(modelLatencyGroups(suite, matrix, models));

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

    /**
     * Pure model latency of identity vs sptq (the sptq speed targets): the synthetic ResNet-18, MiniLM
     * against the published dynamic-int8 model at 32 and 128 tokens, and every measured model with an
     * sptq variant at its own input size.
     */
    private static List<Group> modelLatencyGroups(Suite suite, Matrix matrix, List<String> models) {
        List<Group> out = new ArrayList<>();
        if (matrix.size() == Matrix.Size.SMOKE) {
            return out;
        }
        out.add(new Group("ModelLatencyBenchmark", "infer", Map.of("model", List.of("resnet18-synthetic"),
                "variant", List.of("identity", "sptq"), "sequenceLength", List.of("0"))));
        // the two targets again, measured call by call: what the report checks them on
        out.add(new Group("ModelLatencyBenchmark", "paired", Map.of("model", List.of("resnet18-synthetic"),
                "variant", List.of("sptq"), "against", List.of("identity"), "sequenceLength", List.of("0"))));
        if (models.contains("minilm-l6") && matrix.deploymentsByVariant().containsKey(List.of("minilm-l6", "sptq"))) {
            out.add(new Group("ModelLatencyBenchmark", "paired", Map.of("model", List.of("minilm-l6"),
                    "variant", List.of("sptq"), "against", List.of("published-int8"), "sequenceLength", List.of("32", "128"))));
        }
        for (String model : models) {
            if (!matrix.deploymentsByVariant().containsKey(List.of(model, "sptq"))) {
                continue;
            }
            var input = suite.catalog().models().get(model).descriptor().input();
            boolean text = input.kind().equals("text");
            List<String> variants = model.equals("minilm-l6") ? List.of("identity", "sptq", "published-int8") : List.of("identity", "sptq");
            List<String> lengths = !text ? List.of("0") : model.equals("minilm-l6") ? List.of("32", "128")
                    : List.of(String.valueOf(input.sequenceLength()));
            out.add(new Group("ModelLatencyBenchmark", "infer", Map.of("model", List.of(model), "variant", variants,
                    "sequenceLength", lengths)));
            // sptq / identity call by call: separate benchmarks' medians move with the machine's load
            out.add(new Group("ModelLatencyBenchmark", "paired", Map.of("model", List.of(model), "variant", List.of("sptq"),
                    "against", List.of("identity"), "sequenceLength", lengths.subList(lengths.size() - 1, lengths.size()))));
        }
        return out;
    }

    private static int methods(String benchmark) {
        return benchmark.equals("HarnessOverheadBenchmark") ? 3 : 1;
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
