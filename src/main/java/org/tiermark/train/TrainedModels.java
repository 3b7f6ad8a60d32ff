package org.tiermark.train;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.operator.StepContext;
import org.tiermark.operator.VariantBuilder;

/**
 * The trained-model cache: a trained model is expensive, so it is kept by its training recipe (source
 * model hash, trainer and version, parameters, data hash) and reused by every variant whose chain starts
 * with the same training step ({@code distill}, {@code distill+sptq} and {@code distill+partition}
 * train once). An entry is published by renaming a complete work folder; a failed or interrupted run
 * leaves its work folder (with the last good checkpoint) beside the entries, never a broken entry. A
 * committed result under {@code models/trained/<model>-<operator>/} whose {@code recipe.json} names the
 * same recipe, and whose {@code model.onnx} has the hash recorded there, seeds the cache.
 */
public final class TrainedModels {
    /** Overrides the cache folder (tests); by default {@code trained-cache/} beside the catalog's descriptors. */
    public static final String FOLDER_PROPERTY = "tiermark.trainedCache";
    static final String MODEL = "model.onnx";
    static final String SECTION = "section.json";
    static final String RECIPE = "recipe.json";
    private static final String TRAINING = ".training";
    private static final String INTERRUPTED = ".interrupted";

    /**
     * System property that, set to {@code false}, makes a missing trained model a skipped variant instead of a
     * training run: a benchmark run on a slow machine (or a quick re-run) measures what is cached and says what it left out.
     */
    public static final String TRAIN_PROPERTY = "tiermark.train";

    /** Whether a missing trained model may be trained now ({@value #TRAIN_PROPERTY}: true, the default, or false). */
    static boolean trainingAllowed() {
        String v = System.getProperty(TRAIN_PROPERTY, "true").strip();
        if (!v.equals("true") && !v.equals("false")) {
            throw new InvalidInputException("-D" + TRAIN_PROPERTY + "=" + v + ": must be true (train what is missing) or false (skip it)");
        }
        return v.equals("true");
    }

    /**
     * What decides a trained model: the recipe whose hash keys the cache.
     *
     * @param dataSha256 the training data as the trainer reads it (empty when fixed by the source's files)
     */
    public record Recipe(String model, String operator, String sourceSha256, String trainer, int trainerVersion,
                         Map<String, String> params, String dataSha256) {
        public Recipe {
            params = new TreeMap<>(params);
        }

        public String sha256() {
            try {
                return OnnxModels.sha256(Json.MAPPER.writeValueAsString(this));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** What a cache entry's {@code recipe.json} holds: the recipe, its hash and the model's hash. */
    public record Entry(Recipe recipe, String recipeSha256, String modelSha256, String createdAt) {}

    /** A trained model from the cache (or just trained into it), its section, and how it was obtained. */
    public record Obtained(OnnxMl.ModelProto model, Map<String, Object> section, String how, Path folder) {}

    private TrainedModels() {}

    /** The recipe of {@code t} training the catalog model of {@code src} (a chain's first training step). */
    public static Recipe recipe(WhiteboxTrainer t, VariantBuilder.Source src, Map<String, String> params) {
        return recipe(t, src, OnnxModels.sha256(src.onnx()), params);
    }

    /**
     * The recipe of {@code t} training the model whose hash is {@code sourceSha256}: the catalog file's for
     * a first training step (so the recipes of single-step trainings, and the committed results they seed,
     * stay as they were), the previous training's output for a step that follows one ({@code distill+qat}).
     */
    public static Recipe recipe(WhiteboxTrainer t, VariantBuilder.Source src, String sourceSha256, Map<String, String> params) {
        return new Recipe(src.model(), t.operator(), sourceSha256, t.getClass().getName(), t.version(), params, t.dataSha256(src));
    }

    /**
     * Whether {@code model} is the catalog model of {@code src} itself (null: not loaded yet, so it is):
     * what a first training step is given, as opposed to the model of a training step before it.
     */
    public static boolean isCatalogModel(VariantBuilder.Source src, OnnxMl.ModelProto model) {
        return model == null || model.equals(OnnxModels.load(src.onnx()));
    }

    /**
     * SHA-256 of what a training starts from: the catalog file's for the catalog model, else that of
     * {@code model}'s bytes (the previous training's {@code model.onnx}, as the cache wrote it).
     */
    public static String sourceSha256(VariantBuilder.Source src, OnnxMl.ModelProto model) {
        return isCatalogModel(src, model) ? OnnxModels.sha256(src.onnx()) : sha256(model);
    }

    /** SHA-256 of {@code model}'s bytes: of the {@code model.onnx} it was read from, when the cache wrote that file. */
    static String sha256(OnnxMl.ModelProto model) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cache folder for {@code src}: the property's, else {@code trained-cache/} beside the catalog's descriptors. */
    static Path root(VariantBuilder.Source src) {
        String p = System.getProperty(FOLDER_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        return src.catalogEntry().map(m -> m.file().toAbsolutePath().getParent().resolve("trained-cache"))
                .orElseGet(() -> src.onnx().toAbsolutePath().getParent().resolve("trained-cache"));
    }

    /** Where the committed result of {@code operator} on {@code model} would be: {@code trained/<model>-<operator>/}. */
    static Optional<Path> committed(VariantBuilder.Source src, String operator) {
        return src.catalogEntry().map(m -> m.file().toAbsolutePath().getParent().resolve("trained")
                .resolve(src.model() + "-" + operator));
    }

    /**
     * The model trained by {@code t} from {@code source} with {@code ctx}'s parameters: from the cache,
     * else seeded from a committed result of the same recipe, else trained now and published.
     */
    public static Obtained obtain(WhiteboxTrainer t, OnnxMl.ModelProto source, StepContext ctx) throws Exception {
        return obtain(t, source, sourceSha256(ctx.source(), source), ctx);
    }

    /** As {@link #obtain(WhiteboxTrainer, OnnxMl.ModelProto, StepContext)} with {@code source}'s hash known ({@link #sourceSha256}). */
    static Obtained obtain(WhiteboxTrainer t, OnnxMl.ModelProto source, String sourceSha256, StepContext ctx) throws Exception {
        Recipe recipe = recipe(t, ctx.source(), sourceSha256, ctx.params());
        String sha = recipe.sha256();
        Path folder = root(ctx.source()).resolve(ctx.source().model()).resolve(t.operator() + "-" + sha.substring(0, 16));
        Optional<Obtained> hit = read(folder, sha, "cache");
        if (hit.isPresent()) {
            return hit.get();
        }
        Files.createDirectories(folder.getParent());
        Optional<Path> seed = committed(ctx.source(), t.operator()).filter(c -> seeds(c, sha));
        if (seed.isPresent()) {
            Path work = fresh(folder);
            Files.copy(seed.get().resolve(MODEL), work.resolve(MODEL));
            Map<String, Object> section = new LinkedHashMap<>(CnnTrainer.committedSection(seed.get().resolve("training.json")));
            publish(folder, work, recipe, sha, section);
            System.out.printf("%s %s: trained model taken from %s (same recipe %s)%n", ctx.source().model(), t.operator(),
                    seed.get(), sha.substring(0, 16));
            return read(folder, sha, "seeded from " + seed.get().getFileName()).orElseThrow();
        }
        if (!trainingAllowed()) {
            throw new InvalidInputException(ctx.source().model() + " " + t.operator() + ": not in the trained-model cache ("
                    + folder + ") and -D" + TRAIN_PROPERTY + "=false forbids training it now; build it with `tiermark variants"
                    + " --model " + ctx.source().model() + " --operator " + t.operator() + "` or run without -D" + TRAIN_PROPERTY + "=false");
        }
        Path work = fresh(folder);
        Map<String, Object> section;
        OnnxMl.ModelProto trained;
        try {
            WhiteboxTrainer.Trained r = t.train(source, ctx, work);
            trained = r.model();
            section = new LinkedHashMap<>(r.section());
        } catch (Exception | Error e) {
            throw new IllegalStateException(ctx.source().model() + " " + t.operator() + ": training stopped (" + e
                    + "); nothing was cached; what it wrote, with its last good checkpoint, is kept in " + work, e);
        }
        OnnxModels.save(trained, work.resolve(MODEL));
        publish(folder, work, recipe, sha, section);
        return read(folder, sha, "trained").orElseThrow();
    }

    /** Whether committed folder {@code c} holds a model of recipe {@code sha} with the hash its recipe records. */
    static boolean seeds(Path c, String sha) {
        Path r = c.resolve(RECIPE);
        if (!Files.isRegularFile(r) || !Files.isRegularFile(c.resolve(MODEL)) || !Files.isRegularFile(c.resolve("training.json"))) {
            return false;
        }
        Entry e = Json.read(r, Entry.class);
        return sha.equals(e.recipeSha256()) && OnnxModels.sha256(c.resolve(MODEL)).equals(e.modelSha256());
    }

    /**
     * A fresh work folder for {@code folder}; an earlier run's leftover (killed, diverged) is moved to
     * {@code .interrupted} first, keeping its checkpoint, and reported.
     */
    private static Path fresh(Path folder) throws IOException {
        Path work = folder.resolveSibling(folder.getFileName() + TRAINING);
        if (Files.exists(work)) {
            Path kept = folder.resolveSibling(folder.getFileName() + INTERRUPTED);
            deleteTree(kept);
            Files.move(work, kept, StandardCopyOption.ATOMIC_MOVE);
            System.out.println("an earlier run of this recipe did not finish; what it left (its last checkpoint) is now in "
                    + kept + "; training again from the start");
        }
        return Files.createDirectory(work);
    }

    private static void publish(Path folder, Path work, Recipe recipe, String sha, Map<String, Object> section)
            throws IOException {
        Json.writeAtomically(work.resolve(SECTION), section);
        // the recipe last: an entry without it is not an entry
        Json.writeAtomically(work.resolve(RECIPE), new Entry(recipe, sha, OnnxModels.sha256(work.resolve(MODEL)),
                Instant.now().toString()));
        deleteTree(folder);
        Files.move(work, folder, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The entry in {@code folder} when it is complete, of recipe {@code sha}, and its model has the recorded hash. */
    static Optional<Obtained> read(Path folder, String sha, String how) throws IOException {
        Path r = folder.resolve(RECIPE);
        if (!Files.isRegularFile(r) || !Files.isRegularFile(folder.resolve(MODEL))) {
            return Optional.empty();
        }
        Entry e = Json.read(r, Entry.class);
        if (!sha.equals(e.recipeSha256()) || !OnnxModels.sha256(folder.resolve(MODEL)).equals(e.modelSha256())) {
            return Optional.empty();
        }
        Map<String, Object> section = Json.MAPPER.readValue(folder.resolve(SECTION).toFile(),
                new TypeReference<Map<String, Object>>() {});
        return Optional.of(new Obtained(OnnxModels.load(folder.resolve(MODEL)), section, how, folder));
    }

    /** Writes {@code recipe.json} into a committed result so that it seeds the cache (for maintainers). */
    public static void describeCommitted(WhiteboxTrainer t, VariantBuilder.Source src, Map<String, String> params, Path c)
            throws IOException {
        Recipe recipe = recipe(t, src, params);
        Json.writeAtomically(c.resolve(RECIPE), new Entry(recipe, recipe.sha256(), OnnxModels.sha256(c.resolve(MODEL)),
                Instant.now().toString()));
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
