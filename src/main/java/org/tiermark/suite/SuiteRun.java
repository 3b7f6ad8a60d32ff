package org.tiermark.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.AtomicFiles;
import org.tiermark.Benchmarks;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.Targets;
import org.tiermark.accuracy.AccuracyStep;
import org.tiermark.model.Catalog;
import org.tiermark.operator.Operator;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.report.ReportOptions;
import org.tiermark.report.ReportWriter;
import org.tiermark.report.RunInputs;
import org.tiermark.report.RunReport;
import org.tiermark.runtime.LinkDelayModel;

/**
 * One suite run: validates everything it will load, creates a new run folder, builds missing
 * variants, measures accuracy, runs the plan's JMH groups, merges their JSON, writes the report and
 * moves {@code results/latest} when the run is complete. run.json says at every step how far it got.
 */
public final class SuiteRun {
    /** Exit codes: 0 every group measured, 1 something failed or nothing was measured or the gate failed. */
    public static final int OK = 0;
    public static final int FAILED = 1;

    private SuiteRun() {}

    /**
     * What a user asked for.
     *
     * @param results      the folder run folders go into
     * @param size         matrix size
     * @param params       the {@code --params} filter
     * @param jmh          harness settings
     * @param baseline     run folder or JMH JSON of the regression gate; blank for none
     * @param skipAccuracy latency only
     * @param requireAll   the gate also fails when a measured benchmark has no baseline
     * @param prior        run folder or JMH JSON to predict request times from; blank: the earlier runs
     *                     (see {@link RequestTimes#find})
     * @param links        the links the deployment benchmark measures over (see {@link RunLinks})
     * @param sweep        the bandwidth-sweep point this run measures (recorded in run.json); null outside a sweep
     */
    public record Request(Path results, Matrix.Size size, String params, JmhSettings jmh, String baseline, boolean skipAccuracy,
                          boolean requireAll, String prior, LinkDelayModel links, Sweep.Point sweep) {
        public Request {
            links = links == null ? LinkDelayModel.SIMULATED : links;
        }

        /** A request with simulated links, outside a sweep. */
        public Request(Path results, Matrix.Size size, String params, JmhSettings jmh, String baseline, boolean skipAccuracy,
                       boolean requireAll, String prior) {
            this(results, size, params, jmh, baseline, skipAccuracy, requireAll, prior, LinkDelayModel.SIMULATED, null);
        }
    }

    /**
     * The operators every model is measured with: those {@code profiles/matrix.json} names for the
     * default size (black-box everywhere, white-box on the models and deployments it says); every
     * black-box and white-box composition in the full matrix.
     */
    public static List<String> operators(Suite suite, Matrix.Size size) {
        return switch (size) {
            case SMOKE -> List.of("identity");
            case DEFAULT -> MatrixRules.load(suite).defaultOperators();
            case FULL -> MatrixRules.fullOperators();
            case LINKS -> List.of();
        };
    }

    /** The matrix of a request, restricted by its {@code --params}, every cell kept (none in the links matrix). */
    public static Matrix matrix(Suite suite, Request r) {
        if (r.size() == Matrix.Size.LINKS) {
            return Matrix.plan(suite, r.size(), List.of(), (model, op) -> 1);
        }
        Matrix planned = Matrix.plan(suite, r.size(), operators(suite, r.size()), (model, op) -> Operator.parse(op).stageCount());
        if (r.size() == Matrix.Size.DEFAULT) {
            planned = planned.withoutCells(MatrixRules.load(suite).uncovered(planned));
        }
        return planned.restrict(r.params());
    }

    /**
     * The matrix a request measures: the default size without the cells {@code prior} says take over
     * {@link SamplePlanner#DEFAULT_MAX_REQUEST_MS} per request (they cannot get their samples within the
     * run's 30 minutes; the full matrix measures them), unless {@code --params} names cells itself.
     */
    public static Matrix matrix(Suite suite, Request r, RequestTimes prior) {
        Matrix all = matrix(suite, r);
        return all.withoutCells(leftOut(suite, all, r, prior));
    }

    /**
     * The variants of {@code matrix} whose operator does not apply to their model, each with the reason
     * (a white-box operator no trainer trains the model with): judged from the catalog before anything
     * is built; the run skips them and records why.
     */
    public static Map<List<String>, String> notApplicable(Suite suite, Matrix matrix) {
        Map<List<String>, String> out = new LinkedHashMap<>();
        for (List<String> variant : matrix.deploymentsByVariant().keySet()) {
            Operator op = Operator.parse(variant.get(1));
            if (op.isIdentity()) {
                continue;
            }
            Catalog.Model m = suite.catalog().model(variant.get(0));
            try {
                VariantBuilder.notApplicable(null, VariantBuilder.Source.describing(m), op,
                        VariantBuilder.params(op, m.descriptor().operatorDefaults(), Map.of())).ifPresent(why -> out.put(variant, why));
            } catch (InvalidInputException e) {
                out.put(variant, e.getMessage());
            }
        }
        return out;
    }

    /** The cells of {@code all} the request's size leaves out for their request time. */
    public static Set<Matrix.Cell> leftOut(Suite suite, Matrix all, Request r, RequestTimes prior) {
        if (r.size() != Matrix.Size.DEFAULT || !r.params().isBlank()) {
            return Set.of();
        }
        return SamplePlanner.slowCells(all, prior, SamplePlanner.DEFAULT_MAX_REQUEST_MS, Benchmarks.load(suite.home()).headline());
    }

    /** The measurement of each group {@code plan} runs under the request's settings. */
    public static SamplePlanner.SamplePlan samplePlan(Plan plan, Request r, RequestTimes prior) {
        return SamplePlanner.plan(JmhGroups.included(plan, r.jmh()), r.jmh(), r.jmh().minSamples(), prior);
    }

    /** Runs {@code request} and returns the exit code; bad input throws before any folder exists. */
    public static int run(Suite suite, Request request) throws IOException {
        RequestTimes prior = RequestTimes.find(suite.home(), request.results(), request.prior());
        Matrix all = matrix(suite, request);
        Set<Matrix.Cell> leftOut = leftOut(suite, all, request, prior);
        Matrix matrix = all.withoutCells(leftOut);
        Targets targets = Targets.load(suite.home());
        Benchmarks benchmarks = Benchmarks.load(suite.home());
        Plan plan = plan(suite, request, matrix, targets, benchmarks);
        Preflight.check(suite, plan, request.jmh(), request.results());
        if (request.size() == Matrix.Size.LINKS) {
            LinkGrid.requireEmulation();
        }
        Map<String, Object> linkSetup = request.size() == Matrix.Size.LINKS ? LinkGrid.setup(request.links())
                : RunLinks.check(suite, plan, request.jmh(), request.links());
        plan.skippedTargets().forEach(t -> System.err.println("tiermark suite: target not measured: " + t));

        Path runDir = RunFolders.create(request.results());
        System.out.println("tiermark suite: run folder " + runDir);
        if (!leftOut.isEmpty()) {
            System.out.println("tiermark suite: the default matrix leaves out " + leftOut.size() + " cells over "
                    + Math.round(SamplePlanner.DEFAULT_MAX_REQUEST_MS) + " ms per request in " + prior.source()
                    + " (--matrix full measures them; --dry-run lists them)");
        }
        Path targetsCopy = runDir.resolve("targets.json");
        AtomicFiles.writeNew(targetsCopy, Files.readAllBytes(suite.home().resolve(Targets.FILE)));
        // the report of this run reads what it ran with, whatever the home's file becomes later
        AtomicFiles.writeNew(runDir.resolve(RunInputs.BENCHMARKS_FILE), Files.readAllBytes(suite.home().resolve(Benchmarks.FILE)));
        RunRecord run = RunRecord.started(RunFolders.host(), Instant.now().toString(), RunFolders.gitCommit(suite.home()),
                matrix, request.params(), request.jmh(), plan.skippedTargets(), targetsCopy.getFileName().toString(),
                List.copyOf(leftOut), request.sweep()).withLinks(request.size() == Matrix.Size.LINKS ? LinkDelayModel.EMULATED.id()
                : request.links().id(), linkSetup);
        run.write(runDir);

        List<RunRecord.SkippedVariant> skipped = new ArrayList<>();
        Matrix measured = buildVariants(suite, matrix, skipped);
        // variants dropped: their groups go, the rest of the plan stays as planned
        Plan kept = measured.cells().size() == matrix.cells().size() ? plan
                : RunLinks.apply(Plan.of(suite, measured, targets, benchmarks), request.links());
        kept.skippedTargets().stream().filter(t -> !plan.skippedTargets().contains(t))
                .forEach(t -> System.err.println("tiermark suite: target not measured (a variant it needs was skipped): " + t));
        run = run.withVariants(measured.cells(), skipped);
        run.write(runDir);
        List<RunRecord.Failure> failures = new ArrayList<>();
        if (!request.skipAccuracy()) {
            measureAccuracy(suite, measured, request.size(), runDir, failures);
        }
        JmhGroups.Outcome outcome = measured.cells().isEmpty() && request.size() != Matrix.Size.LINKS
                ? new JmhGroups.Outcome(List.of(), 0, List.of())
                : JmhGroups.run(suite, samplePlan(kept, request, prior), request.jmh(), runDir);
        failures.addAll(outcome.failures());
        JmhGroups.mergeJson(outcome.jsonFiles(), runDir.resolve("jmh.json"));
        run = run.finished(Instant.now().toString(), outcome.results(), failures);
        run.write(runDir);
        if (run.results() == 0) {
            System.err.println("tiermark suite: nothing was measured (" + runDir + "): "
                    + (measured.cells().isEmpty() ? "every variant of the matrix was skipped" : "no benchmark produced a result"));
            failures.forEach(f -> System.err.println("  " + f.group() + ": " + f.cause()));
            return FAILED;
        }
        if (RunFolders.pointLatest(request.results(), runDir, run)) {
            System.out.println("tiermark suite: " + request.results().resolve(RunFolders.LATEST) + " -> " + runDir.getFileName());
        }
        boolean gateFailed = false;
        try {
            gateFailed = report(runDir, request.baseline(), request.requireAll());
        } catch (IOException | RuntimeException e) {
            // the measurements are on disk already: report the failure, keep them
            run = run.withFailure(new RunRecord.Failure("report", String.valueOf(e)));
            run.write(runDir);
            failures.add(run.failures().get(run.failures().size() - 1));
        }
        if (gateFailed) {
            System.err.println("tiermark suite: the regression gate failed against " + request.baseline()
                    + " (see " + runDir.resolve("report.md") + ")");
            return FAILED;
        }
        if (!failures.isEmpty()) {
            System.err.println("tiermark suite: " + failures.size() + " failure(s), recorded in " + runDir.resolve(RunRecord.FILE) + ":");
            failures.forEach(f -> System.err.println("  " + f.group() + ": " + f.cause()));
            return FAILED;
        }
        return OK;
    }

    /** The groups {@code request} runs over {@code matrix}: the grid of {@link LinkGrid} in the links matrix. */
    public static Plan plan(Suite suite, Request request, Matrix matrix, Targets targets, Benchmarks benchmarks) {
        if (request.size() == Matrix.Size.LINKS) {
            return LinkGrid.plan(request.params(), suite.profiles());
        }
        return RunLinks.apply(Plan.of(suite, matrix, targets, benchmarks), request.links());
    }

    /** The report into the run folder and the gate when a baseline is given; true when the gate failed. */
    private static boolean report(Path runDir, String baseline, boolean requireAll) throws IOException {
        return RunReport.forSuite(runDir, baseline, requireAll).gateFailed();
    }

    /**
     * Builds every missing or stale variant before anything is measured. A variant an operator cannot
     * make from a model (e.g. early exit on a network without blocks to skip) is dropped from the
     * matrix, printed and recorded with its reason in run.json: never skipped silently.
     */
    private static Matrix buildVariants(Suite suite, Matrix matrix, List<RunRecord.SkippedVariant> skipped) {
        Set<List<String>> dropped = new HashSet<>();
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
                skipped.add(new RunRecord.SkippedVariant(model, operator, String.valueOf(e.getMessage())));
                System.err.println("tiermark suite: SKIPPED " + model + "/" + operator + ": " + e.getMessage());
            }
        }
        return matrix.without(dropped);
    }

    /** Accuracy of every measured variant; its failure is recorded and the latency run still happens. */
    private static void measureAccuracy(Suite suite, Matrix matrix, Matrix.Size size, Path runDir,
                                        List<RunRecord.Failure> failures) {
        List<String[]> pairs = new ArrayList<>();
        for (List<String> v : matrix.deploymentsByVariant().keySet()) {
            if (suite.catalog().models().get(v.get(0)).descriptor().evaluation() != null) {
                pairs.add(new String[] {v.get(0), v.get(1)});
            }
        }
        if (pairs.isEmpty()) {
            return;
        }
        long t = System.nanoTime();
        try {
            MatrixRules rules = MatrixRules.load(suite);
            var report = AccuracyStep.run(suite, pairs, model -> rules.accuracySet(model, size), runDir);
            System.out.printf("tiermark suite: accuracy of %d variants on the evaluation sets (%s) (%.0f s), %d errors%n",
                    report.entries().size(), report.evaluationSet(), (System.nanoTime() - t) / 1e9, report.errors().size());
            report.errors().forEach(e -> failures.add(new RunRecord.Failure("accuracy " + e.model() + "/" + e.operator(),
                    String.valueOf(e.message()))));
        } catch (IOException | RuntimeException e) {
            failures.add(new RunRecord.Failure("accuracy", String.valueOf(e)));
            System.err.println("tiermark suite: accuracy step failed: " + e);
        }
    }
}
