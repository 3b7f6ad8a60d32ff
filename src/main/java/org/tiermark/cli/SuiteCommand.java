package org.tiermark.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.Benchmarks;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.Targets;
import org.tiermark.suite.JmhGroups;
import org.tiermark.suite.JmhSettings;
import org.tiermark.suite.Matrix;
import org.tiermark.suite.Plan;
import org.tiermark.suite.RequestTimes;
import org.tiermark.suite.RunLinks;
import org.tiermark.suite.SamplePlanner;
import org.tiermark.suite.SuiteRun;
import org.tiermark.suite.Sweep;

/**
 * {@code tiermark suite}, the main job ({@code mvn -P jmh verify} runs it): parses the options and
 * hands them to {@link SuiteRun}; {@code --dry-run} prints the plan instead.
 */
final class SuiteCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("home", "results", "matrix", "include", "params", "forks", "sweep",
            "warmup-iterations", "warmup-time", "iterations", "time", "jvm-args", "baseline", "min-samples", "prior", "links");
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
                  --matrix SIZE            smoke | default | full | links (default: default); links: the
                                           link-delay model against emulated links (Linux, root), a grid
                                           of bandwidth x payload x connection, about 7 min; --params
                                           restricts it, e.g. "bandwidthMbps=10,100;payloadBytes=100000"
                  --params FILTER          restrict cells, e.g. "model=minilm-l6;deployment=edge,cloud"
                                           (smoke: the first model on edge unless named here)
                  --include REGEX          only benchmark classes matching, e.g. DeploymentBenchmark
                  --links MODE             simulated | emulated | remote (default: simulated): how the
                                           deployment benchmark's links cost time. emulated (Linux, root):
                                           per trial a network namespace per tier, tbf-shaped veth links,
                                           tier agents in cgroups; remote: stages at the tier profiles'
                                           "endpoint"s (checked ready before measuring). See docs/emulation.md
                  --forks N                JMH forks per cell        (smoke 1, default 1, full 3)
                  --warmup-iterations N    (1, 1, 2)       --warmup-time T   (1s, 1s, 2s)
                  --iterations N           (2, 3, 5)       --time T          (1s, 1s, 3s)
                  --min-samples N          samples every cell gets at least (5, 30, 100): iterations are
                                           raised to it and shortened to keep the --iterations x --time
                                           of a fast cell; 0 = iterations and time as given
                  --prior RUN|JSON         earlier run to predict request times from (default: per cell
                                           the newest run in --results or docs/runs that measured it); the
                                           default matrix leaves out cells that took over 1 s per request
                  --jvm-args "ARGS"        extra JVM arguments for the forks
                  --baseline RUN|JSON      fail when slower than this baseline (regression gate);
                                           forks default to 3 then, so run-to-run noise is sampled
                  --require-all            the gate also fails when a measured benchmark has no baseline
                  --skip-accuracy          measure latency only
                  --dry-run                print the plan and exit
                  --sweep LINK:MBPS,...    the matrix at each bandwidth of one link, a run folder each, and
                                           a report of latency against bandwidth in results/sweep-<time>/
                                           (e.g. mobile-edge:1,10,50,100,150,200)
                Exit code: 0 when every planned group measured; 1 when a group or step failed, nothing
                was measured or the gate failed; 2 on bad input (nothing is created then).
                results/latest points at the newest run that finished with every group measured.
                Through Maven: mvn -P jmh verify -Dtiermark.matrix=full -Dtiermark.jmh.params=deployment=edge -Dtiermark.links=emulated
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
                a.get("jvm-args", ""), a.get("include", ""), a.getInt("min-samples", d.minSamples()));
        Path results = Path.of(a.get("results", home.resolve("results").toString())).toAbsolutePath();
        SuiteRun.Request request = new SuiteRun.Request(results, size, a.get("params", ""), jmh, baseline, a.has("skip-accuracy"),
                a.has("require-all"), a.get("prior", ""), RunLinks.parse(a.get("links", "")), null);
        String sweep = a.get("sweep", "").trim();
        if (!sweep.isEmpty()) {
            Sweep parsed = Sweep.parse(sweep, suite.profiles());
            if (size == Matrix.Size.LINKS) {
                throw new InvalidInputException("--sweep with --matrix links: the link validation grid sets each cell's bandwidth "
                        + "itself (--params bandwidthMbps=...)");
            }
            parsed.checkLinks(request.links());
            if (a.has("dry-run")) {
                System.out.println("tiermark suite: sweep of " + parsed.link() + " at " + parsed.bandwidthsMbps() + " Mbit/s, each:");
                return dryRun(suite, request);
            }
            return parsed.run(home, request);
        }
        if (a.has("dry-run")) {
            return dryRun(suite, request);
        }
        return SuiteRun.run(suite, request);
    }

    /** The cells and the JMH groups a run would measure, how each is measured and how long it is predicted to take. */
    private static int dryRun(Suite suite, SuiteRun.Request request) throws IOException {
        RequestTimes prior = RequestTimes.find(suite.home(), request.results(), request.prior());
        Matrix all = SuiteRun.matrix(suite, request);
        Set<Matrix.Cell> leftOut = SuiteRun.leftOut(suite, all, request, prior);
        Matrix matrix = all.withoutCells(leftOut);
        Plan plan = SuiteRun.plan(suite, request, matrix, Targets.load(suite.home()), Benchmarks.load(suite.home()));
        System.out.printf("tiermark suite: %d cells (%s matrix), %d variants%n", matrix.cells().size(),
                request.size().name().toLowerCase(), matrix.deploymentsByVariant().size());
        matrix.cells().forEach(c -> System.out.println("  " + c.model() + " / " + c.operator() + " / " + c.deployment()));
        if (!leftOut.isEmpty()) {
            System.out.printf("tiermark suite: left out of the default matrix, over %.0f ms per request in %s (the full matrix measures them):%n",
                    SamplePlanner.DEFAULT_MAX_REQUEST_MS, prior.source());
            leftOut.forEach(c -> System.out.printf("  %s / %s / %s  %.0f ms%n", c.model(), c.operator(), c.deployment(),
                    prior.meanMs("DeploymentBenchmark", "request", Map.of("model", c.model(), "operator", c.operator(),
                            "deployment", c.deployment())).orElse(Double.NaN)));
        }
        Map<List<String>, String> skipped = SuiteRun.notApplicable(suite, matrix);
        if (!skipped.isEmpty()) {
            System.out.println("tiermark suite: variants the run will skip (their operator does not apply), with their cells:");
            skipped.forEach((v, why) -> System.out.println("  " + v.get(0) + " / " + v.get(1) + ": " + why));
        }
        SamplePlanner.SamplePlan samples = SuiteRun.samplePlan(plan, request, prior);
        System.out.println("tiermark suite: " + samples.groups().size() + " JMH groups (samples per cell at least, predicted time)");
        for (SamplePlanner.GroupPlan g : samples.groups()) {
            SamplePlanner.Measurement m = g.measurement();
            String how = m.singleShot() ? m.iterations() + " shots" : m.iterations() + " x " + m.iterationMs() + " ms";
            System.out.printf("  %s %s %s  [%d fork(s), %s, >= %d samples, %.1f min]%n", g.group().benchmark(), g.group().methods(),
                    g.group().params(), m.forks(), how, g.minSamples(), g.predictedMs() / 60_000.0);
        }
        long unknown = samples.cells().stream().filter(c -> !c.predicted()).count();
        System.out.printf("tiermark suite: predicted JMH time %.1f min for %d cells, each >= %d samples (fewest predicted: %d)%s%n",
                samples.predictedMs() / 60_000.0, samples.cells().size(), samples.minSamples(),
                samples.cells().stream().mapToLong(SamplePlanner.Cell::samples).min().orElse(0),
                prior.source().isEmpty() ? "; no earlier run to predict request times from"
                        : "; request times from " + prior.source() + (unknown > 0 ? " (" + unknown + " cells not in them: time per"
                        + " iteration assumed)" : ""));
        plan.skippedTargets().forEach(t -> System.err.println("tiermark suite: target not measured: " + t));
        return 0;
    }
}
