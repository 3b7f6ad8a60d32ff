package org.tiermark.operator;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
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

    /** The variant, or a clear error saying how to build it. */
    public Variant get(String model, String operator) {
        Catalog.Model m = catalog.model(model);
        if ("identity".equals(operator)) {
            return Variant.identity(model, m.onnx());
        }
        Path manifest = folder(model, operator).resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new InvalidInputException("variant " + model + "/" + operator + " is not built (no " + manifest
                    + "); build it with `tiermark variants --model " + model + " --operator " + operator + "`");
        }
        JsonNode stagesNode = Json.read(manifest, JsonNode.class).path("stages");
        if (!stagesNode.isArray() || stagesNode.isEmpty()) {
            throw InvalidInputException.field(manifest, "stages", "must list the stage files in order");
        }
        List<Path> stages = new ArrayList<>();
        for (JsonNode s : stagesNode) {
            String file = s.isTextual() ? s.asText() : s.path("file").asText();
            Path p = manifest.getParent().resolve(file);
            if (!Files.isRegularFile(p)) {
                throw InvalidInputException.field(manifest, "stages", "stage file not found: " + p);
            }
            stages.add(p);
        }
        return new Variant(model, operator, stages, manifest);
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
            return Variant.identity(model, m.onnx());
        }
        Path folder = folder(model, op.name());
        Map<String, String> params = VariantBuilder.params(m.descriptor().operatorDefaults(), overrides);
        String recipeSha = VariantBuilder.recipeSha256(VariantBuilder.recipe(op, params));
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
        Samples calibration = Samples.of(calib, pre, m.calibration().toString());
        Samples heldOut;
        if (m.calibration().equals(m.pool())) {
            int used = Math.min(calib.size(), Integer.parseInt(params.get("sptq.calibration.samples").trim()));
            heldOut = calibration.skip(used);
            if (heldOut.size() == 0) {
                heldOut = calibration;
            }
        } else {
            heldOut = Samples.of(Preprocessors.pool(m, Integer.MAX_VALUE), pre, m.pool().toString());
        }
        return new VariantBuilder.Source(m.name(), m.onnx(), calibration, heldOut, m.descriptor().operatorDefaults());
    }
}
