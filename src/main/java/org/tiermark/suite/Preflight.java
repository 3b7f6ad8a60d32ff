package org.tiermark.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;

/**
 * Everything a run will load, checked before its run folder exists: a bad file costs a message
 * naming it, not a run folder with a stack trace in it.
 */
public final class Preflight {
    private Preflight() {}

    /**
     * Checks the models, deployments and tiers the included groups of {@code plan} load, and that
     * {@code results} can take a new run folder. Throws {@link InvalidInputException} on the first problem.
     */
    public static void check(Suite suite, Plan plan, JmhSettings settings, Path results) {
        List<Plan.Group> groups = JmhGroups.included(plan, settings);
        if (groups.isEmpty()) {
            throw new InvalidInputException("--include '" + settings.include() + "' matches none of the benchmarks this run plans: "
                    + String.join(", ", plan.groups().stream().map(Plan.Group::benchmark).distinct().toList()));
        }
        Set<String> models = new LinkedHashSet<>();
        Set<String> deployments = new LinkedHashSet<>();
        for (Plan.Group g : groups) {
            g.params().getOrDefault("model", List.of()).stream().filter(m -> !Plan.GENERATED_MODELS.contains(m)).forEach(models::add);
            deployments.addAll(g.params().getOrDefault("deployment", List.of()));
            if (g.benchmark().equals(Plan.HARNESS_OVERHEAD)) {
                deployments.add(Plan.HARNESS_DEPLOYMENT);
            }
        }
        for (Plan.Group g : groups) {
            for (String param : List.of("operator", "against")) {
                if (g.params().getOrDefault(param, List.of()).contains(LatencyModels.PUBLISHED_INT8)) {
                    for (String model : g.params().get("model").stream().filter(m -> !Plan.GENERATED_MODELS.contains(m)).toList()) {
                        Path published = LatencyModels.publishedInt8(suite.catalog().model(model).onnx());
                        if (!Files.isRegularFile(published)) {
                            throw new InvalidInputException(param + "=" + LatencyModels.PUBLISHED_INT8 + " for " + model
                                    + ": " + published + " not found (it is unpacked by the build: run `mvn process-classes`)");
                        }
                    }
                }
            }
        }
        for (String model : models) {
            suite.catalog().model(model).checkFiles();
        }
        for (String d : deployments) {
            try {
                var deployment = suite.profiles().deployment(d);
                deployment.stages().forEach(suite.profiles()::tier);
                suite.profiles().hops(deployment);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("the run uses deployment '" + d + "' (" + suite.profiles().root()
                        + "/deployments/" + d + ".json): " + e.getMessage(), e);
            }
        }
        checksOfOtherSteps(suite, models, deployments);
        RunFolders.checkWritable(results);
    }

    /**
     * PLUG-IN POINT for the lead after the merge: the runtime helper's checks of what the forks will
     * load (a tier's relativeSpeed > 1 in simulated mode, a truncated ONNX file of a text model,
     * sequenceLength beyond the model's maximum, an empty input pool or a non-image file in a pool).
     * Each throws {@link InvalidInputException} naming the file and field.
     */
    private static void checksOfOtherSteps(Suite suite, Set<String> models, Set<String> deployments) {
        // intentionally empty until those checks exist on main
    }
}
