package org.tiermark.suite;

import java.util.regex.Pattern;
import org.openjdk.jmh.runner.options.TimeValue;
import org.tiermark.InvalidInputException;

/**
 * JMH settings shared by every group of a run; recorded in run.json.
 *
 * @param forks            forks per group
 * @param warmupIterations warm-up iterations per fork
 * @param warmupTime       JMH time of one warm-up iteration, e.g. {@code 1s}
 * @param iterations       measurement iterations per fork
 * @param time             JMH time of one measurement iteration
 * @param jvmArgs          extra JVM arguments for the forks, space separated
 * @param include          regular expression over benchmark class names; empty = all
 * @param minSamples       samples every cell gets at least, whatever its request time (0: iterations
 *                         and time as given); see {@link SamplePlanner}
 */
public record JmhSettings(int forks, int warmupIterations, String warmupTime, int iterations, String time,
                          String jvmArgs, String include, int minSamples) {
    /** Forks per cell when a baseline is given and --forks is not. */
    public static final int GATE_MIN_FORKS = 3;

    public JmhSettings {
        if (forks < 0 || forks > 50) {
            throw new InvalidInputException("--forks: must be 0..50 (got " + forks + ")");
        }
        if (warmupIterations < 0 || iterations < 1) {
            throw new InvalidInputException("--iterations must be >= 1 and --warmup-iterations >= 0");
        }
        for (String[] t : new String[][] {{"warmup-time", warmupTime}, {"time", time}}) {
            try {
                TimeValue.fromString(t[1]);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidInputException("--" + t[0] + ": '" + t[1] + "' is not a JMH time such as 500ms, 2s, 1m");
            }
        }
        if (minSamples < 0 || minSamples > 100_000) {
            throw new InvalidInputException("--min-samples: must be 0..100000 (got " + minSamples + ")");
        }
        jvmArgs = jvmArgs == null ? "" : jvmArgs;
        include = include == null ? "" : include;
        try {
            Pattern.compile(include);
        } catch (RuntimeException e) {
            throw new InvalidInputException("--include: not a regular expression: " + include);
        }
    }

    /**
     * Harness defaults per matrix size: the default matrix finishes in under 30 minutes on 2 cores;
     * the full one takes the samples a publication would want.
     */
    public static JmhSettings defaults(Matrix.Size size) {
        return switch (size) {
            case SMOKE -> new JmhSettings(1, 1, "1s", 2, "1s", "", "", SamplePlanner.SMOKE_MIN_SAMPLES);
            case DEFAULT -> new JmhSettings(1, 1, "1s", 3, "1s", "", "", SamplePlanner.DEFAULT_MIN_SAMPLES);
            case FULL -> new JmhSettings(3, 2, "2s", 5, "3s", "", "", SamplePlanner.FULL_MIN_SAMPLES);
            // a 1 MB transfer at 1 Mbit/s takes 8.4 s: few samples per cell keep the grid within minutes
            case LINKS -> new JmhSettings(1, 1, "1s", 3, "1s", "", "", SamplePlanner.SMOKE_MIN_SAMPLES);
        };
    }

    /** True when {@link #include} lets this benchmark class run. */
    public boolean includes(String benchmarkClass) {
        return include.isEmpty() || Pattern.compile(include).matcher(benchmarkClass).find();
    }
}
