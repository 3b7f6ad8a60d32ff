package org.tiermark.operator;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.model.Catalog;

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
}
