package org.tiermark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.report.Compare;
import org.tiermark.report.Measurement;
import org.tiermark.report.ReportOptions;
import org.tiermark.report.ReportWriter;
import org.tiermark.report.RunInputs;
import org.tiermark.tier.Profiles;

/** {@code tiermark compare}: the same benchmarks across runs (machines, versions), and composed deployments. */
public final class CompareCommand implements Command {
    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "line up the same benchmarks of several runs: ratio of medians with bootstrap CI; compose stages across machines";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark compare RUN_A RUN_B [RUN_C ...] [options]

                Each RUN is a run folder, JMH JSON or samples CSV. Every benchmark (same params) is lined up;
                run #k's median is divided by run #1's, with a 95% bootstrap interval (resampling iterations).
                Benchmarks missing from a run (mismatched params, failures) are listed.

                  --compose SPEC   compose an end-to-end latency from stages measured in different runs plus
                                   the link model. SPEC: comma-separated label=SOURCE parts, SOURCE either
                                     RUN:SELECTOR   a measurement of run #RUN (1-based), SELECTOR =
                                                    Benchmark.method;param=value;... matching exactly one
                                     FROM>TO:BYTES  BYTES over the links between tiers FROM and TO
                                   e.g. head=1:DeploymentBenchmark.request;operator=partition;deployment=mobile,
                                        up=mobile>edge:49152,tail=2:DeploymentBenchmark.request;deployment=edge,
                                        down=edge>mobile:1536
                  --home DIR       project folder with profiles/ (default: current directory), for links
                  --out DIR        also write compare.md, compare.csv and compare.json there
                  --help           this text

                Exit codes (the same rule as report; messages on stderr):
                  0  ok
                  1  an unexpected error
                  2  bad or missing input: a RUN missing, unreadable or holding no measurement (an empty
                     folder, a killed run, a JSON file that is not JMH output), or a bad --compose SPEC""";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("compose", "home", "out"), Set.of());
        if (a.positional().size() < 2 && !(a.has("compose") && a.positional().size() >= 1)) {
            throw new InvalidInputException("compare: give at least two runs (run folders, JMH JSON or samples CSV); got " + a.positional());
        }
        List<String> names = new ArrayList<>();
        List<List<Measurement>> runs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String p : a.positional()) {
            names.add(p);
            List<String> own = new ArrayList<>();
            List<Measurement> ms = RunInputs.measurements(Path.of(p), own);
            if (ms.isEmpty()) {
                // lining up against nothing would print an empty table and look like success
                throw new InvalidInputException("compare: " + p + " holds no measurement"
                        + (own.isEmpty() ? "" : ": " + String.join("; ", own)));
            }
            problems.addAll(own);
            runs.add(ms);
        }
        long seed = ReportOptions.defaults().seed();
        Compare.Result r = Compare.compare(names, runs, seed);
        if (a.has("compose")) {
            Path home = Path.of(a.get("home", "."));
            Profiles profiles = Files.isDirectory(home.resolve("profiles")) ? Profiles.load(home.resolve("profiles")) : null;
            Compare.Composition c = Compare.compose(a.get("compose", ""), runs, profiles, 100_000, seed);
            r = new Compare.Result(r.runs(), r.rows(), c, r.problems());
        }
        List<String> all = new ArrayList<>(problems);
        all.addAll(r.problems());
        r = new Compare.Result(r.runs(), r.rows(), r.composition(), all);
        all.forEach(p -> System.err.println("warning: " + p));
        System.out.print(ReportWriter.markdownTable(r.table()));
        if (r.composition() != null) {
            System.out.print(Compare.compositionMarkdown(r.composition()));
        }
        if (a.has("out")) {
            Compare.write(r, Path.of(a.get("out", ".")));
        }
        return 0;
    }
}
