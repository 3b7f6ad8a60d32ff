package org.tiermark;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import org.tiermark.data.InputPool;
import org.tiermark.model.Catalog;
import org.tiermark.operator.Variant;
import org.tiermark.operator.VariantStore;
import org.tiermark.runtime.Costs;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LinkDelayModel;
import org.tiermark.runtime.LocalStage;
import org.tiermark.runtime.Stage;
import org.tiermark.onnx.Sessions;
import org.tiermark.tier.Profiles;

/**
 * The facade the benchmarks and the command line talk to: the project folder's profiles, model
 * catalog and variants, and deployment runners built from them.
 */
public final class Suite {
    /** Raw inputs each benchmark trial cycles through (and the suite checks before measuring). */
    public static final int POOL_SIZE = 256;
    /** System property naming the project folder (holding profiles/, models/, data/). */
    public static final String HOME_PROPERTY = "tiermark.home";

    private final Path home;
    private final Profiles profiles;
    private final Catalog catalog;
    private final VariantStore variants;

    private Suite(Path home, Profiles profiles, Catalog catalog, VariantStore variants) {
        this.home = home;
        this.profiles = profiles;
        this.catalog = catalog;
        this.variants = variants;
    }

    /** Loads everything under {@code home}; any bad profile or descriptor fails here, before measuring. */
    public static Suite load(Path home) {
        Path h = home.toAbsolutePath().normalize();
        Profiles profiles = Profiles.load(h.resolve("profiles"));
        Catalog catalog = Catalog.load(h.resolve("models"));
        return new Suite(h, profiles, catalog, new VariantStore(catalog, h.resolve("models").resolve("variants")));
    }

    /** The project folder from {@code -Dtiermark.home}, else the working directory. */
    public static Suite fromSystemProperty() {
        return load(Path.of(System.getProperty(HOME_PROPERTY, ".")));
    }

    public Path home() {
        return home;
    }

    public Profiles profiles() {
        return profiles;
    }

    public Catalog catalog() {
        return catalog;
    }

    public VariantStore variants() {
        return variants;
    }

    /** A runner for {@code model}'s {@code operator} variant on {@code deployment}, costs named by the benchmarks' {@code linkDelay}. */
    public DeploymentRunner runner(String model, String operator, String deployment, LinkDelayModel linkDelay)
            throws OrtException {
        return runner(model, operator, deployment, linkDelay.costs());
    }

    /**
     * A runner for {@code model}'s {@code operator} variant on {@code deployment}, with the given costs and
     * every stage in this process. Real link costs need stages on real tiers: use the overload with an opener.
     */
    public DeploymentRunner runner(String model, String operator, String deployment, Costs costs)
            throws OrtException {
        if (costs.link().real()) {
            throw new InvalidInputException("link cost '" + costs.link().id() + "' needs the stages on real tiers "
                    + "(emulation.EmulatedTiers or RemoteTiers opens them); a runner with every stage in this process measures no link");
        }
        return runner(model, operator, deployment, costs, LocalStage.opener(Sessions.environment()));
    }

    /** As {@link #runner(String, String, String, Costs)}, with stages from {@code opener}. */
    public DeploymentRunner runner(String model, String operator, String deployment, Costs costs, Stage.Opener opener)
            throws OrtException {
        Catalog.Model m = catalog.model(model);
        Variant v = variants.get(model, operator);
        OrtEnvironment env = Sessions.environment();
        return DeploymentRunner.open(env, v, profiles.deployment(deployment), profiles, costs,
                Preprocessors.create(m, env), opener);
    }

    /** The raw inputs of {@code model}, at most {@code limit}. */
    public InputPool pool(String model, int limit) {
        return Preprocessors.pool(catalog.model(model), limit);
    }
}
