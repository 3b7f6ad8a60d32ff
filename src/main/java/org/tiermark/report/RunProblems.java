package org.tiermark.report;

import java.util.ArrayList;
import java.util.List;
import org.tiermark.accuracy.AccuracyReport;

/** Problems of a run found by setting its files against each other: failed trials, skipped variants, stray accuracy. */
final class RunProblems {
    private RunProblems() {}

    /** The inputs' own problems, then what the files say together. */
    static List<String> of(RunInputs in) {
        List<String> out = new ArrayList<>(in.problems());
        out.addAll(missingTrials(in.measurements(), in.stages()));
        in.run().skipped().forEach(f -> out.add("run.json: variant not built, its cells were not measured: " + f));
        in.run().failures().forEach(f -> out.add("run.json: failed: " + f));
        out.addAll(unmatchedAccuracy(in.measurements(), in.accuracy()));
        return out;
    }

    /** Accuracy entries for variants that were not measured: shown, but nothing to set them against. */
    static List<String> unmatchedAccuracy(List<Measurement> ms, Accuracy acc) {
        List<String> out = new ArrayList<>();
        for (AccuracyReport.Entry e : acc.entries()) {
            boolean measured = ms.stream().anyMatch(m -> e.model().equals(m.param(DeploymentParams.MODEL))
                    && e.operator().equals(m.param(DeploymentParams.OPERATOR)));
            if (!measured) {
                out.add("accuracy: model=" + e.model() + " operator=" + e.operator()
                        + " has an accuracy entry but no latency measurement in this run (an accuracy file of other variants?)");
            }
        }
        return out;
    }

    /** Trials that wrote a stage file but have no result: they failed after setup. */
    static List<String> missingTrials(List<Measurement> ms, List<StageFiles.Trial> trials) {
        List<String> out = new ArrayList<>();
        for (StageFiles.Trial s : trials) {
            boolean found = ms.stream().anyMatch(m -> m.shortName().startsWith(s.benchmark() + ".") && s.isCell(m));
            if (!found) {
                out.add("stages/: a trial of " + s.benchmark() + " model=" + s.model() + " operator=" + s.operator() + " deployment="
                        + s.deployment() + " was set up but has no result in the JMH JSON: it failed (see the JMH log)");
            }
        }
        return out;
    }
}
