package org.tiermark.suite;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.Benchmarks;
import org.tiermark.InvalidInputException;
import org.tiermark.Preprocessors;
import org.tiermark.Suite;
import org.tiermark.model.Catalog;
import org.tiermark.operator.Operator;
import org.tiermark.runtime.LinkDelayModel;
import org.tiermark.tier.DeploymentProfile;

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
        Benchmarks benchmarks = Benchmarks.load(suite.home());
        Set<String> models = new LinkedHashSet<>();
        // deployment -> the link-delay models it runs with: what the forks' runners will open
        Map<String, Set<LinkDelayModel>> deployments = new LinkedHashMap<>();
        for (Plan.Group g : groups) {
            models.addAll(g.params().getOrDefault("model", List.of()));
            for (String d : g.params().getOrDefault("deployment", List.of())) {
                for (String delay : g.params().getOrDefault("linkDelay", List.of(LinkDelayModel.SIMULATED.id()))) {
                    deployments.computeIfAbsent(d, k -> new LinkedHashSet<>()).add(LinkDelayModel.parse(delay));
                }
            }
            Benchmarks.Declared declared = benchmarks.declared(g.benchmark());
            if (declared != null && declared.ownDeployment() != null) {
                deployments.computeIfAbsent(declared.ownDeployment(), k -> new LinkedHashSet<>()).add(LinkDelayModel.OFF);
            }
        }
        for (Plan.Group g : groups) {
            for (String param : List.of("operator", "against")) {
                for (String model : g.params().getOrDefault("model", List.of())) {
                    for (String name : g.params().getOrDefault(param, List.of())) {
                        // a name is an operator or a variant the model's descriptor lists as published
                        try {
                            if (LatencyModels.isPublished(suite, model, name)) {
                                suite.catalog().model(model).published(name);
                            } else {
                                Operator.parse(name);
                            }
                        } catch (InvalidInputException e) {
                            throw new InvalidInputException(g.benchmark() + " " + param + "=" + name + " for " + model + ": "
                                    + e.getMessage(), e);
                        }
                    }
                }
            }
        }
        for (String model : models) {
            Catalog.Model m = suite.catalog().model(model);
            // the whole ONNX file parsed, sequenceLength against the graph, the pool's inputs decoded
            m.checkInputs();
            Preprocessors.checkPool(m, Suite.POOL_SIZE);
        }
        for (Map.Entry<String, Set<LinkDelayModel>> e : deployments.entrySet()) {
            String d = e.getKey();
            DeploymentProfile deployment;
            try {
                deployment = suite.profiles().deployment(d);
                deployment.stages().forEach(suite.profiles()::tier);
                suite.profiles().hops(deployment);
            } catch (InvalidInputException x) {
                throw new InvalidInputException("the run uses deployment '" + d + "' (" + suite.profiles().root()
                        + "/deployments/" + d + ".json): " + x.getMessage(), x);
            }
            // a tier faster than this machine cannot be stretched to: refused with the tier's file named
            e.getValue().forEach(delay -> suite.profiles().checkDeployable(deployment, delay.costs().compute()));
        }
        RunFolders.checkWritable(results);
    }
}
