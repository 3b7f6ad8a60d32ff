package org.tiermark.suite;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.emulation.EmulatedTiers;

/**
 * Runs a plan's groups, one JMH run each, into {@code <run>/jmh/}; a group that fails is recorded with
 * the cause its benchmark process printed (the exception JMH reports, or how the fork died) and the
 * others still run.
 */
public final class JmhGroups {
    /** The package of the benchmark classes. */
    public static final String PACKAGE = "org.tiermark.bench";
    /** System property the suite sets on forks: the run folder (side files such as stages/). */
    public static final String RUN_DIR_PROPERTY = "tiermark.run.dir";

    private JmhGroups() {}

    /**
     * What the groups produced.
     *
     * @param jsonFiles each group's JMH JSON that was written
     * @param results   JMH results in them
     * @param failures  the groups that failed, each with its cause
     */
    public record Outcome(List<Path> jsonFiles, int results, List<RunRecord.Failure> failures) {}

    /** The groups {@code settings.include} lets run, in order. */
    public static List<Plan.Group> included(Plan plan, JmhSettings settings) {
        return plan.groups().stream().filter(g -> settings.includes(g.benchmark())).toList();
    }

    /**
     * Runs every group of {@code plan} (the included groups, as {@link SamplePlanner} measures them).
     * The console gets one line per group (what, how far, elapsed, time left) and its failure; JMH's
     * own output goes to {@code jmh/<group>.log} only.
     */
    public static Outcome run(Suite suite, SamplePlanner.SamplePlan plan, JmhSettings settings, Path runDir) throws IOException {
        return run(suite, plan, settings, runDir, System.out);
    }

    static Outcome run(Suite suite, SamplePlanner.SamplePlan plan, JmhSettings settings, Path runDir, PrintStream console)
            throws IOException {
        List<Path> out = new ArrayList<>();
        List<RunRecord.Failure> failures = new ArrayList<>();
        int measured = 0;
        Path jmhDir = Files.createDirectories(runDir.resolve("jmh"));
        Progress progress = new Progress(plan, console);
        int index = 0;
        for (SamplePlanner.GroupPlan gp : plan.groups()) {
            index++;
            Plan.Group g = gp.group();
            String label = label(index, g);
            Path json = jmhDir.resolve(label + ".json");
            Path log = jmhDir.resolve(label + ".log");
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            int got = 0;
            String cause = null;
            long started = System.nanoTime();
            // the group's JMH output streams into its log as it runs: a killed run keeps what it printed
            PrintStream stdout = System.out;
            PrintStream stderr = System.err;
            try (OutputStream file = Files.newOutputStream(log);
                 PrintStream jmhOut = new PrintStream(new Tee(file, captured), true, StandardCharsets.UTF_8)) {
                // JMH copies what a fork writes outside its link (native ONNX Runtime warnings, early
                // logging) to System.out and System.err: that belongs in the log too
                System.setOut(jmhOut);
                System.setErr(jmhOut);
                try {
                    got = new Runner(options(suite, gp, settings, runDir, json), OutputFormatFactory.createFormatInstance(jmhOut, VerboseMode.NORMAL))
                            .run().size();
                } catch (RunnerException | RuntimeException e) {
                    cause = e.getMessage() != null ? e.getMessage() : e.toString();
                } finally {
                    System.setOut(stdout);
                    System.setErr(stderr);
                }
            }
            int expected = g.expectedResults();
            if (cause == null && got < expected) {
                cause = (expected - got) + " of " + expected + " benchmarks produced no result: "
                        + causeFromOutput(captured.toString(StandardCharsets.UTF_8));
            }
            progress.done(gp, label, System.nanoTime() - started, cause, log);
            if (cause != null) {
                failures.add(new RunRecord.Failure(label, cause));
            }
            if (Files.exists(json)) {
                out.add(json);
                measured += got;
            }
        }
        return new Outcome(out, measured, failures);
    }

    static String label(int index, Plan.Group g) {
        String model = g.params().containsKey("model") ? "-" + String.join("_", g.params().get("model")) : "";
        String operator = g.params().containsKey("model") && g.params().containsKey("operator")
                ? "-" + String.join("_", g.params().get("operator")).replace('+', '_') : "";
        return String.format("%02d-%s%s%s", index, g.benchmark(), model, operator);
    }

    private static Options options(Suite suite, SamplePlanner.GroupPlan gp, JmhSettings settings, Path runDir, Path json) {
        Plan.Group g = gp.group();
        SamplePlanner.Measurement m = gp.measurement();
        String methods = g.methods().size() == 1 ? Pattern.quote(g.methods().get(0))
                : "(" + g.methods().stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")";
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + Pattern.quote(PACKAGE + "." + g.benchmark() + ".") + methods + "$")
                .forks(m.forks())
                .warmupIterations(m.warmupIterations())
                .measurementIterations(m.iterations())
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .shouldFailOnError(false)
                .jvmArgsAppend(forkArgs(suite, runDir, settings));
        if (!m.singleShot()) {
            o.warmupTime(TimeValue.milliseconds(m.warmupMs())).measurementTime(TimeValue.milliseconds(m.iterationMs()));
        }
        g.params().forEach((k, v) -> o.param(k, v.toArray(String[]::new)));
        return o.build();
    }

    private static String[] forkArgs(Suite suite, Path runDir, JmhSettings settings) {
        List<String> args = new ArrayList<>(List.of("-D" + Suite.HOME_PROPERTY + "=" + suite.home(),
                "-D" + RUN_DIR_PROPERTY + "=" + runDir, "-Djava.awt.headless=true", "-Dai.djl.offline=true"));
        // the emulated links' choices made for the run reach the forks that build them
        for (String p : List.of(EmulatedTiers.TRANSPORT_PROPERTY, EmulatedTiers.CONGESTION_CONTROL_PROPERTY)) {
            String v = System.getProperty(p, "");
            if (!v.isBlank()) {
                args.add("-D" + p + "=" + v.strip());
            }
        }
        if (!settings.jvmArgs().isBlank()) {
            args.addAll(List.of(settings.jvmArgs().trim().split("\\s+")));
        }
        return args.toArray(String[]::new);
    }

    /**
     * The cause of a failed benchmark as JMH printed it: after each {@code <failure>} the exception's
     * first line and its innermost {@code Caused by:}, or how a fork died; several are joined.
     */
    static String causeFromOutput(String output) {
        List<String> causes = new ArrayList<>();
        String[] lines = output.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("<forked VM failed")) {
                causes.add(line.replaceAll("[<>]", ""));
            } else if (line.endsWith("<failure>")) {
                String first = null;
                String innermost = null;
                for (int j = i + 1; j < lines.length && !lines[j].strip().startsWith("<") ; j++) {
                    String l = lines[j].strip();
                    if (l.isEmpty() || l.startsWith("at ") || l.startsWith("...")) {
                        continue;
                    }
                    if (first == null) {
                        first = l;
                    } else if (l.startsWith("Caused by: ")) {
                        innermost = l.substring("Caused by: ".length());
                    }
                }
                if (first != null) {
                    causes.add(innermost != null ? first + " (caused by " + innermost + ")" : first);
                }
            }
        }
        List<String> distinct = causes.stream().distinct().toList();
        return distinct.isEmpty() ? "no cause in the JMH output" : String.join(" | ", distinct);
    }

    /** Concatenates the JMH JSON arrays of the groups into one array. */
    public static void mergeJson(List<Path> files, Path target) throws IOException {
        var merged = Json.MAPPER.createArrayNode();
        for (Path f : files) {
            var node = Json.MAPPER.readTree(f.toFile());
            if (node != null && node.isArray()) {
                node.forEach(merged::add);
            }
        }
        Json.writeAtomically(target, merged);
    }

    /** Writes to the group's log and keeps a copy to read the causes of failures from. */
    private static final class Tee extends OutputStream {
        private final OutputStream log;
        private final OutputStream copy;

        Tee(OutputStream log, OutputStream copy) {
            this.log = log;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            log.write(b);
            copy.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            log.write(b, off, len);
            copy.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            log.flush();
        }
    }
}
