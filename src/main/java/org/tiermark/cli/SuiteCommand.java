package org.tiermark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.Targets;
import org.tiermark.suite.JmhGroups;
import org.tiermark.suite.JmhSettings;
import org.tiermark.suite.Matrix;
import org.tiermark.suite.Plan;
import org.tiermark.suite.SuiteRun;

/**
 * {@code tiermark suite}, the main job ({@code mvn -P jmh verify} runs it): parses the options and
 * hands them to {@link SuiteRun}; {@code --dry-run} prints the plan instead.
 */
final class SuiteCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("home", "results", "matrix", "include", "params", "forks",
            "warmup-iterations", "warmup-time", "iterations", "time", "jvm-args", "baseline");
    private static final Set<String> FLAGS = Set.of("dry-run", "skip-accuracy", "require-all");

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
                                           (smoke: the first model on edge unless named here)
                  --include REGEX          only benchmark classes matching, e.g. DeploymentBenchmark
                  --forks N                JMH forks per cell        (smoke 1, default 1, full 3)
                  --warmup-iterations N    (1, 1, 2)       --warmup-time T   (1s, 1s, 2s)
                  --iterations N           (2, 3, 5)       --time T          (1s, 1s, 3s)
                  --jvm-args "ARGS"        extra JVM arguments for the forks
                  --baseline RUN|JSON      fail when slower than this baseline (regression gate);
                                           forks default to 3 then, so run-to-run noise is sampled
                  --require-all            the gate also fails when a measured benchmark has no baseline
                  --skip-accuracy          measure latency only
                  --dry-run                print the plan and exit
                Exit code: 0 when every planned group measured; 1 when a group or step failed, nothing
                was measured or the gate failed; 2 on bad input (nothing is created then).
                results/latest points at the newest run that finished with every group measured.
                Through Maven: mvn -P jmh verify -Dtiermark.matrix=full -Dtiermark.jmh.params=deployment=edge
                """;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(name(), argv, OPTIONS, FLAGS);
        Path home = Path.of(a.get("home", ".")).toAbsolutePath().normalize();
        Suite suite = Suite.load(home);
        Matrix.Size size = Matrix.parseSize(a.get("matrix", "default"));
        JmhSettings d = JmhSettings.defaults(size);
        String baseline = a.get("baseline", "").trim();
        // the gate needs run-to-run variance in its samples: one fork cannot show it (an A/A pair of
        // 1-fork runs differed by 15% on one cell here), three forks did not trip it
        boolean gating = !baseline.isEmpty();
        if (gating && !Files.exists(Path.of(baseline))) {
            throw new InvalidInputException("--baseline: " + baseline + " not found; give a run folder (results/<run>) or a JMH JSON file");
        }
        int forks = a.getInt("forks", gating ? Math.max(d.forks(), JmhSettings.GATE_MIN_FORKS) : d.forks());
        if (gating && forks < JmhSettings.GATE_MIN_FORKS) {
            System.err.println("tiermark suite: warning: --forks " + forks + " with a baseline: run-to-run noise is not sampled"
                    + " and the gate may trip on it; use at least " + JmhSettings.GATE_MIN_FORKS);
        }
        JmhSettings jmh = new JmhSettings(forks, a.getInt("warmup-iterations", d.warmupIterations()),
                a.get("warmup-time", d.warmupTime()), a.getInt("iterations", d.iterations()), a.get("time", d.time()),
                a.get("jvm-args", ""), a.get("include", ""));
        Path results = Path.of(a.get("results", home.resolve("results").toString())).toAbsolutePath();
        SuiteRun.Request request = new SuiteRun.Request(results, size, a.get("params", ""), jmh, baseline, a.has("skip-accuracy"),
                a.has("require-all"));
        if (a.has("dry-run")) {
            return dryRun(suite, request);
        }
        return SuiteRun.run(suite, request);
    }

    /** The cells and the JMH groups a run would measure, without creating anything. */
    private static int dryRun(Suite suite, SuiteRun.Request request) {
        Matrix matrix = SuiteRun.matrix(suite, request);
        Plan plan = Plan.of(suite, matrix, Targets.load(suite.home()));
        System.out.printf("tiermark suite: %d cells (%s matrix), %d variants%n", matrix.cells().size(),
                request.size().name().toLowerCase(), matrix.deploymentsByVariant().size());
        matrix.cells().forEach(c -> System.out.println("  " + c.model() + " / " + c.operator() + " / " + c.deployment()));
        var groups = JmhGroups.included(plan, request.jmh());
        System.out.println("tiermark suite: " + groups.size() + " JMH groups");
        groups.forEach(g -> System.out.println("  " + g.benchmark() + " " + g.methods() + " " + g.params()));
        plan.skippedTargets().forEach(t -> System.err.println("tiermark suite: target not measured: " + t));
        return 0;
    }
}
