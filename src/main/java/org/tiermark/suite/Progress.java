package org.tiermark.suite;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The console of a suite run: one line per JMH group saying what it measured, how many groups are
 * done of how many, the elapsed time and the time left, and a failure's cause with its log file.
 * The time left is the plan's prediction for the remaining groups, scaled by how the finished
 * groups compared with theirs (a loaded machine runs slower than planned).
 */
final class Progress {
    private final SamplePlanner.SamplePlan plan;
    private final PrintStream console;
    private final long startNanos = System.nanoTime();
    private long predictedDoneMs;
    private int done;

    Progress(SamplePlanner.SamplePlan plan, PrintStream console) {
        this.plan = plan;
        this.console = console;
        console.printf("tiermark suite: %d JMH groups, %d cells, >= %d samples per cell, predicted %s%s; JMH output in jmh/<group>.log%n",
                plan.groups().size(), plan.cells().size(), plan.minSamples(), minutes(plan.predictedMs()),
                plan.prior().isEmpty() ? " (no earlier run to predict from)" : "");
    }

    /** Prints the line of a finished group; {@code cause} is null when it measured every cell. */
    void done(SamplePlanner.GroupPlan group, String label, long tookNanos, String cause, Path log) {
        done++;
        predictedDoneMs += group.predictedMs();
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        long leftMs = Math.max(0, plan.predictedMs() - predictedDoneMs);
        double pace = predictedDoneMs > 0 ? (double) elapsedMs / predictedDoneMs : 1;
        int width = String.valueOf(plan.groups().size()).length();
        console.printf("[%" + width + "d/%d] %-6s %6s  %s | %s elapsed, about %s left%n", done, plan.groups().size(),
                cause == null ? "ok" : "FAILED", seconds(tookNanos / 1_000_000), describe(group.group()), clock(elapsedMs),
                minutes(Math.round(leftMs * pace)));
        if (cause != null) {
            console.println("        " + label + ": " + cause + " (see " + log + ")");
        }
    }

    /** A group in words: the model and operator, the benchmark, the cells' other parameters. */
    static String describe(Plan.Group g) {
        Map<String, List<String>> p = g.params();
        String subject = String.join(" ", p.getOrDefault("model", List.of())) + " "
                + String.join(",", p.getOrDefault("operator", List.of()));
        String rest = p.entrySet().stream().filter(e -> !e.getKey().equals("model") && !e.getKey().equals("operator"))
                .filter(e -> !(e.getKey().equals("linkDelay") && e.getValue().equals(List.of("simulated"))))
                .map(e -> e.getKey() + " " + String.join(",", e.getValue())).collect(Collectors.joining("; "));
        String what = g.benchmark().replace("Benchmark", "") + " " + String.join(",", g.methods());
        return (subject.isBlank() ? "" : subject.strip() + ": ") + what + (rest.isEmpty() ? "" : " (" + rest + ")");
    }

    static String seconds(long ms) {
        return ms < 100_000 ? String.format("%.0f s", ms / 1000.0) : String.format("%.0f min", ms / 60_000.0);
    }

    static String minutes(long ms) {
        return ms < 60_000 ? String.format("%.0f s", ms / 1000.0) : String.format("%.1f min", ms / 60_000.0);
    }

    static String clock(long ms) {
        long s = ms / 1000;
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
