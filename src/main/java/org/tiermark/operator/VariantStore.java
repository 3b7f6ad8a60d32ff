package org.tiermark.operator;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tiermark.InvalidInputException;
import org.tiermark.data.InputPool;
import org.tiermark.data.Preprocessor;
import org.tiermark.Preprocessors;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;

/**
 * Finds the variant of a model made by an operator: {@code identity} is the base model; every other
 * variant lives in {@code models/variants/<model>/<operator>/} with a {@code manifest.json} listing
 * its stage files in order.
 */
public final class VariantStore {
    public static final String MANIFEST = "manifest.json";

    private final Catalog catalog;
    private final Path root;

    public VariantStore(Catalog catalog, Path variantsRoot) {
        this.catalog = catalog;
        this.root = variantsRoot;
    }

    public Path root() {
        return root;
    }

    public Path folder(String model, String operator) {
        return root.resolve(model).resolve(operator);
    }

    /**
     * The variant, or a clear error saying how to build it. A stage file whose size differs from the
     * manifest's (truncated, replaced) makes the variant not ready, naming the file.
     */
    public Variant get(String model, String operator) {
        Catalog.Model m = catalog.model(model);
        if ("identity".equals(operator)) {
            return Variant.identity(model, m.onnx());
        }
        Path folder = folder(model, operator);
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new InvalidInputException("variant " + model + "/" + operator + " is not built (no " + manifest
                    + "); build it with `tiermark variants --model " + model + " --operator " + operator + "`");
        }
        VariantManifest vm;
        try {
            vm = VariantManifest.read(manifest);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("variant " + model + "/" + operator + " is not ready: its manifest cannot be read "
                    + "(written by an older tiermark?): " + e.getMessage() + "; rebuild it with `tiermark variants --model "
                    + model + " --operator " + operator + "`", e);
        }
        List<String> problems = sizeProblems(folder, vm);
        if (!problems.isEmpty()) {
            throw new InvalidInputException("variant " + model + "/" + operator + " is not ready: " + String.join("; ", problems)
                    + "; rebuild it with `tiermark variants --model " + model + " --operator " + operator + " --force`");
        }
        return VariantBuilder.variant(model, Operator.parse(operator), folder, vm);
    }

    /** Stage files missing or of another size than the manifest records, each named. */
    static List<String> sizeProblems(Path folder, VariantManifest m) {
        List<String> out = new ArrayList<>();
        for (VariantManifest.StageFile s : m.stageFiles()) {
            Path p = folder.resolve(s.file());
            try {
                long bytes = Files.size(p);
                if (bytes != s.bytes()) {
                    out.add("stage file " + p + " has " + bytes + " bytes, the manifest says " + s.bytes());
                }
            } catch (IOException e) {
                out.add("stage file " + p + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        return out;
    }

    /**
     * Every problem of a built variant, stage files hashed against the manifest (slow on big models:
     * for {@code tiermark variants --check}); empty when it is ready.
     */
    public List<String> verify(String model, String operator) {
        Path folder = folder(model, operator);
        Path manifest = folder.resolve(MANIFEST);
        VariantManifest vm;
        try {
            vm = VariantManifest.read(manifest);
        } catch (InvalidInputException e) {
            return List.of(e.getMessage());
        }
        List<String> problems = sizeProblems(folder, vm);
        if (problems.isEmpty()) {
            for (VariantManifest.StageFile s : vm.stageFiles()) {
                Path p = folder.resolve(s.file());
                if (!OnnxModels.sha256(p).equals(s.sha256())) {
                    problems.add("stage file " + p + " does not have the manifest's sha256 (changed on disk)");
                }
            }
        }
        return problems;
    }

    /** The operators of {@code model} with a built folder (a manifest), sorted; build leftovers are not variants. */
    public List<String> built(String model) throws IOException {
        Path dir = root.resolve(model);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !VariantFolders.isLeftover(p.getFileName().toString())
                            && Files.isRegularFile(p.resolve(MANIFEST)))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Whether {@code operator}'s variant of {@code model} has a manifest (identity is always there). */
    public boolean isBuilt(String model, String operator) {
        Operator op = Operator.parse(operator);
        return op.isIdentity() || Files.isRegularFile(folder(model, op.name()).resolve(MANIFEST));
    }

    /**
     * Whether the built variant of {@code operator} (with the model's default parameters) is what building it
     * now would give: its recipe (step versions, parameters) and source model unchanged. False when not built.
     */
    public boolean isCurrent(String model, String operator) {
        Catalog.Model m = catalog.model(model);
        Operator op = Operator.parse(operator);
        if (op.isIdentity()) {
            return true;
        }
        Map<String, String> params = VariantBuilder.params(op, m.descriptor().operatorDefaults(), Map.of());
        return VariantBuilder.isCurrent(folder(model, op.name()), VariantBuilder.recipe(op, params).sha256(), OnnxModels.sha256(m.onnx()));
    }

    /** The variant, built first when it is missing or stale (its recipe or its source model changed). */
    public Variant ensure(String model, String operator) {
        return ensure(model, operator, Map.of(), false);
    }

    /**
     * The variant with operator parameters {@code overrides} (over the descriptor's
     * {@code operatorDefaults}), rebuilt when missing, stale, or {@code force}.
     */
    public Variant ensure(String model, String operator, Map<String, String> overrides, boolean force) {
        Catalog.Model m = catalog.model(model);
        Operator op = Operator.parse(operator);
        if (op.isIdentity()) {
            VariantBuilder.params(op, m.descriptor().operatorDefaults(), overrides);
            return Variant.identity(model, m.onnx());
        }
        Path folder = folder(model, op.name());
        // every parameter is checked before the cache is looked at, let alone touched
        Map<String, String> params = VariantBuilder.params(op, m.descriptor().operatorDefaults(), overrides);
        String recipeSha = VariantBuilder.recipe(op, params).sha256();
        try {
            VariantFolders.recover(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("tidying " + folder, e);
        }
        if (!force && VariantBuilder.isCurrent(folder, recipeSha, OnnxModels.sha256(m.onnx()))) {
            return get(model, op.name());
        }
        OrtEnvironment env = Sessions.environment();
        try (Preprocessor pre = Preprocessors.create(m, env)) {
            VariantBuilder.Source src = source(m, pre, params);
            return VariantBuilder.build(env, src, op, overrides, folder);
        } catch (OrtException e) {
            throw new IllegalStateException("building " + model + "/" + op.name() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("building " + model + "/" + op.name(), e);
        }
    }

    /**
     * A catalog model as a build source: calibration samples from its {@code calibration} inputs;
     * held-out samples from its pool, skipping the calibration ones when both are the same file.
     */
    static VariantBuilder.Source source(Catalog.Model m, Preprocessor pre, Map<String, String> params) {
        boolean text = "text".equals(m.descriptor().input().kind());
        InputPool calib = text ? InputPool.textLines(m.calibration(), Integer.MAX_VALUE)
                : InputPool.imageFiles(m.calibration(), Integer.MAX_VALUE);
        InputSamples calibration = InputSamples.of(calib, pre, m.calibration().toString());
        InputSamples heldOut;
        if (m.calibration().equals(m.pool())) {
            // the samples sptq would calibrate on, also when this chain has no sptq: the held-out set stays the same
            String samples = params.containsKey(SptqStep.SAMPLES) ? params.get(SptqStep.SAMPLES)
                    : VariantBuilder.params(Operator.parse("sptq"), m.descriptor().operatorDefaults(), Map.of()).get(SptqStep.SAMPLES);
            int used = Math.min(calib.size(), Integer.parseInt(samples.strip()));
            heldOut = calibration.skip(used);
            if (heldOut.size() == 0) {
                heldOut = calibration;
            }
        } else {
            heldOut = InputSamples.of(Preprocessors.pool(m, Integer.MAX_VALUE), pre, m.pool().toString());
        }
        return new VariantBuilder.Source(m.name(), m.onnx(), calibration, heldOut, m.descriptor().operatorDefaults(), m);
    }
}
