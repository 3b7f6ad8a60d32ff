package org.tiermark.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.report.Gate;
import org.tiermark.report.Report;
import org.tiermark.report.ReportOptions;
import org.tiermark.report.ReportWriter;
import org.tiermark.report.RunReport;

/** {@code tiermark report}: tables, statistics, plots, recommendations and the regression gate for a run. */
public final class ReportCommand implements Command {
    @Override
    public String name() {
        return "report";
    }

    @Override
    public String summary() {
        return "report a run folder, JMH JSON or samples CSV: tables, statistics, plots, recommendations, regression gate";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark report RUN_DIR|JMH_JSON|SAMPLES_CSV [options]

                Writes report.md, report.csv, report.html (self-contained), report.json, tables/*.csv and
                plots/*.png|svg into the run folder (or --out). Measurement files are never replaced.

                  --baseline B            run folder or JMH JSON to gate against: exit code 1 when a benchmark is
                                          slower by more than the threshold and the difference is significant,
                                          or when no benchmark of the run is in the baseline (nothing compared)
                  --require-all           the gate also fails when a benchmark of the run has no baseline
                  --require-targets       exit code 1 when a target (targets.json) is missed; without it a
                                          missed target is a warning on stderr and in the report
                  --threshold 0.10        relative slowdown that counts as a regression (default 0.10)
                  --alpha 0.05            significance level (default 0.05)
                  --accuracy-tolerance P  accuracy points (percentage points) a recommended strategy may lose
                                          against identity (default 1)
                  --latency-budget D=MS,...  latency budget per deployment for the recommendations,
                                          e.g. mobile=50,edge=20,mobile-edge=40
                  --accuracy FILE         accuracy JSON to use instead of RUN_DIR/accuracy.json
                  --targets FILE          targets to check instead of RUN_DIR/targets.json (default: the run's,
                                          else profiles/targets.json of the current directory)
                  --out DIR               where to write (default: the run folder; <name>-report/ beside a file)
                  --no-plots              skip the plots
                  --help                  this text

                Samples CSV: the studies' format (Inference seconds, Device, Model with operator words).
                Exit codes (the same for report and compare; messages on stderr):
                  0  ok
                  1  the regression gate failed (a regression, nothing compared, or --require-all with
                     benchmarks that have no baseline), a target was missed with --require-targets, or
                     an unexpected error
                  2  bad or missing input: RUN, --baseline, --accuracy or --targets missing, unreadable or
                     holding no measurement (nothing is compared or checked on nothing); a tolerance or
                     budget that is negative or not a number
                Without an accuracy file the recommendations are on latency only, and the report says so.""";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("baseline", "threshold", "alpha", "accuracy-tolerance", "latency-budget",
                "accuracy", "targets", "out"), Set.of("no-plots", "require-all", "require-targets"));
        if (a.positional().size() != 1) {
            throw new InvalidInputException("report: give exactly one RUN_DIR, JMH_JSON or SAMPLES_CSV (got " + a.positional() + ")");
        }
        ReportOptions o;
        try {
            String baseline = a.get("baseline", null);
            String accuracy = a.get("accuracy", null);
            o = new ReportOptions(baseline == null ? null : Path.of(baseline),
                    a.getDouble("threshold", ReportOptions.DEFAULT_THRESHOLD), a.getDouble("alpha", ReportOptions.DEFAULT_ALPHA),
                    a.getDouble("accuracy-tolerance", ReportOptions.DEFAULT_ACCURACY_TOLERANCE_POINTS),
                    a.has("latency-budget") ? ReportOptions.parseLatencyBudgets(a.get("latency-budget", "")) : Map.of(),
                    accuracy == null ? null : Path.of(accuracy), !a.has("no-plots"), ReportOptions.defaults().seed(),
                    a.has("require-all"), a.has("targets") ? Path.of(a.get("targets", "")) : null);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("report: " + e.getMessage());
        }
        String out = a.get("out", null);
        RunReport.Result r = RunReport.write(Path.of(a.positional().get(0)), out == null ? null : Path.of(out), o);
        Report report = r.report();
        report.interruption().ifPresent(i -> System.err.println("warning: " + i));
        report.problems().forEach(p -> System.err.println("warning: " + p));
        Gate.Result gate = report.gate();
        if (gate != null) {
            System.out.print(ReportWriter.markdownTable(gate.table()));
            gate.problems().forEach(p -> System.err.println("warning: regression gate: " + p));
        }
        report.recommendations().forEach(rec -> System.out.println(rec.text()));
        System.out.printf("report written to %s in %.2f s (%d files; ms per phase %s)%n", r.outDir(), r.millis() / 1000.0,
                r.files().size(), r.phaseMillis());
        return exitCode(report, a.has("require-targets"));
    }

    /** The exit-code rule of {@code report} (see {@link #usage()}); says why on stderr. */
    static int exitCode(Report report, boolean requireTargets) {
        if (report.measuredNothing()) {
            System.err.println("error: " + report.inputs() + ": no measurement to report");
            return 2;
        }
        Gate.Result gate = report.gate();
        if (gate != null && gate.outcome() == Gate.Outcome.BASELINE_EMPTY) {
            System.err.println("error: regression gate: " + gate.reason());
            return 2;
        }
        int code = 0;
        if (gate != null && gate.failed()) {
            System.err.println("error: regression gate failed: " + gate.reason());
            code = 1;
        }
        for (Report.Check c : report.checks()) {
            if (Boolean.FALSE.equals(c.pass())) {
                System.err.println((requireTargets ? "error" : "warning") + ": target " + c.target() + " missed: " + c.subject()
                        + " " + c.value() + " (" + c.threshold() + ")");
                code = requireTargets ? 1 : code;
            }
        }
        return code;
    }
}
