package org.tiermark.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;

/**
 * The report step: what the suite launcher calls after JMH, and what {@code tiermark report} runs.
 * Reads a run folder (or a JMH JSON or samples CSV), writes {@code report.md}, {@code report.csv},
 * {@code report.html}, {@code report.json}, {@code tables/} and {@code plots/} beside the
 * measurements (never over them) and runs the regression gate when a baseline is given.
 */
public final class RunReport {
    /**
     * What the report step did.
     *
     * @param outDir where the report files are
     * @param report the report's content
     * @param gateFailed true when a baseline was given and a benchmark regressed significantly
     * @param files the files written
     * @param millis wall time of the report step
     * @param phaseMillis wall time per phase (read, gate, plots, analysis, write) and the process CPU time (processCpu)
     */
    public record Result(Path outDir, Report report, boolean gateFailed, List<Path> files, long millis,
                         Map<String, Long> phaseMillis) {}

    private RunReport() {}

    /** Reports the run folder {@code runDir} into itself. */
    public static Result write(Path runDir, ReportOptions options) throws IOException {
        return write(runDir, runDir, options);
    }

    /**
     * Reports {@code input} (run folder, JMH JSON or samples CSV) into {@code outDir}; null
     * {@code outDir} means the run folder itself, or {@code <name>-report/} beside a file.
     */
    public static Result write(Path input, Path outDir, ReportOptions options) throws IOException {
        long start = System.nanoTime();
        Path out = outDir != null ? outDir : Files.isDirectory(input) ? input
                : input.toAbsolutePath().resolveSibling(input.getFileName().toString().replaceFirst("\\.[^.]*$", "") + "-report");
        Map<String, Long> phases = new LinkedHashMap<>();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        RunInputs in = RunInputs.load(input, options.accuracy(), options.targets());
        phases.put("read", (System.nanoTime() - t0) / 1_000_000);
        t0 = System.nanoTime();
        Gate.Result gate = null;
        if (options.baseline() != null) {
            List<String> baselineProblems = new ArrayList<>();
            if (!Files.exists(options.baseline())) {
                throw new InvalidInputException("baseline " + options.baseline() + ": no such run folder or JMH JSON");
            }
            RunInputs baseIn = RunInputs.load(options.baseline(), null, null);
            baselineProblems.addAll(baseIn.problems());
            List<Measurement> base = baseIn.measurements();
            baselineProblems.addAll(in.run().machineDifferences(baseIn.run()));
            gate = Gate.compare(in.measurements(), base, options.baseline().toString(), options.threshold(),
                    options.alpha(), options.seed(), options.requireAll())
                    .withProblemsFirst(baselineProblems.stream().map(p -> "baseline: " + p).toList());
        }
        phases.put("gate", (System.nanoTime() - t0) / 1_000_000);
        t0 = System.nanoTime();
        List<TradeOffGroup> tradeOffs = TradeOffGroup.of(in.measurements());
        List<String> plotProblems = new ArrayList<>();
        List<String> plots = options.plots()
                ? Plots.draw(tradeOffs, in.accuracy(), Accuracy.publishedByModel(), out.resolve("plots"), out, plotProblems)
                : List.of();
        phases.put("plots", (System.nanoTime() - t0) / 1_000_000);
        t0 = System.nanoTime();
        Report report = Analysis.analyze(in, options, gate, plots, tradeOffs);
        phases.put("analysis", (System.nanoTime() - t0) / 1_000_000);
        t0 = System.nanoTime();
        if (!plotProblems.isEmpty()) {
            report = report.withProblems(plotProblems);
        }
        List<Path> files = new ArrayList<>(ReportWriter.write(report, out));
        plots.forEach(p -> files.add(out.resolve(p)));
        phases.put("write", (System.nanoTime() - t0) / 1_000_000);
        // on a shared machine wall time says more about the neighbours than about the report
        phases.put("processCpu", (processCpuNanos() - cpu0) / 1_000_000);
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Result(out, report, gate != null && gate.failed(), files, millis, phases);
    }

    /**
     * What the suite runs after JMH: the report into the run folder and the regression gate when
     * {@code baseline} is not blank (Maven passes an empty property). Prints the gate's table and the
     * report's problems; the caller fails the run when {@link Result#gateFailed()}. Where
     * {@code results/latest} points is the suite's business, not the report's.
     */
    public static Result forSuite(Path runDir, String baseline, boolean requireAll) throws IOException {
        ReportOptions o = ReportOptions.defaults().withRequireAll(requireAll);
        if (baseline != null && !baseline.isBlank()) {
            o = o.withBaseline(Path.of(baseline.trim()));
        }
        Result r = write(runDir, o);
        r.report().problems().forEach(p -> System.err.println("tiermark report: " + p));
        Gate.Result gate = r.report().gate();
        if (gate != null) {
            System.out.print(ReportWriter.markdownTable(gate.table()));
            if (gate.failed()) {
                // the suite fails on it: say why where errors go
                System.err.println("tiermark report: regression gate failed: " + gate.reason());
            }
        }
        System.out.printf("tiermark report: %s (%.1f s)%n", r.outDir().resolve("report.html"), r.millis() / 1000.0);
        return r;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

}
