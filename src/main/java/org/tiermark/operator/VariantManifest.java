package org.tiermark.operator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.onnx.OnnxModels;

/**
 * The manifest of a built variant ({@code manifest.json}): what it was built from, its stage files
 * with sizes and hashes, what each step did, and how close it stays to the source model. Written
 * last by {@link VariantBuilder}, read by {@link VariantStore}; both through this record.
 *
 * @param stages     stage file names in execution order (relative to the manifest's folder)
 * @param params     the parameters the steps read, with their values in effect
 * @param steps      each step's own section, by step word, in chain order
 * @param fusedOps   per stage file: the integer kernels ONNX Runtime fused with all optimizations
 * @param link       what crosses the link between the stages; null for a one-stage variant
 * @param exactness  for variants that must equal the source bit for bit (partition alone); else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VariantManifest(int schemaVersion, String model, String operator, Recipe recipe, String recipeSha256,
                              SourceFile source, List<String> stages, List<StageFile> stageFiles,
                              Map<String, String> params, Map<String, Map<String, Object>> steps,
                              Map<String, Map<String, Integer>> fusedOps, Link link, Exactness exactness, Quality quality,
                              double buildSeconds, String builtAt) {
    /** Bumped when a field changes meaning or goes; a manifest of another version is rebuilt, not read. */
    public static final int SCHEMA_VERSION = 1;

    public VariantManifest {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("schemaVersion " + schemaVersion + " is not " + SCHEMA_VERSION
                    + " (written by another tiermark version: rebuild the variant with --force)");
        }
        if (stages == null || stages.isEmpty() || stageFiles == null || stageFiles.size() != stages.size()) {
            throw new IllegalArgumentException("stages and stageFiles must list the same stage files in order");
        }
        stages = List.copyOf(stages);
        stageFiles = List.copyOf(stageFiles);
    }

    /**
     * What decides a variant's content: the chain with each step's version and the parameters it
     * reads, the builder's own version and check parameters. Its hash names the recipe.
     */
    public record Recipe(String operator, int builderVersion, List<StepRecipe> steps, Map<String, String> check) {
        public Recipe {
            steps = List.copyOf(steps);
        }

        public String sha256() {
            try {
                return OnnxModels.sha256(Json.MAPPER.writeValueAsString(this));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One step of a recipe: its word, version and the parameters it reads. */
    public record StepRecipe(String step, int version, Map<String, String> params) {}

    /** The source model file. */
    public record SourceFile(String file, String sha256, long bytes) {}

    /** One stage file: size and hash (checked on load and by {@code variants --check}), its graph's ends. */
    public record StageFile(String file, long bytes, String sha256, List<String> inputs, List<String> outputs, int nodes) {}

    /** The tensor crossing the link between head and tail, and the original inputs that cross with it. */
    public record Link(String tensor, long cutBytes, List<String> passThroughInputs, long passThroughBytes) {
        public Link {
            passThroughInputs = List.copyOf(passThroughInputs);
        }
    }

    /** The stages compared with the source model with basic optimizations only, where they must be equal. */
    public record Exactness(String optimization, double maxAbsDiff, int samples) {}

    /**
     * How close a variant's outputs are to the source model's on held-out inputs.
     *
     * @param samples    held-out inputs compared
     * @param maxAbsDiff largest absolute difference over all outputs
     * @param meanCosine mean over samples and outputs of the cosine similarity of the flattened outputs
     * @param minCosine  the smallest such cosine
     */
    public record Quality(int samples, double maxAbsDiff, double meanCosine, double minCosine) {}

    /**
     * A manifest for stage files made outside the builder (a hand-made or externally trained
     * variant): sizes and hashes of the files in {@code folder}, their graph inputs and outputs;
     * no recipe, so the builder treats it as stale and rebuilds it when asked to ensure the variant.
     */
    public static VariantManifest describing(String model, String operator, Path folder, List<String> stages)
            throws IOException {
        List<StageFile> files = new ArrayList<>();
        for (String s : stages) {
            Path f = folder.resolve(s);
            OnnxMl.GraphProto g = OnnxModels.load(f).getGraph();
            files.add(new StageFile(s, Files.size(f), OnnxModels.sha256(f),
                    g.getInputList().stream().map(OnnxMl.ValueInfoProto::getName).toList(),
                    g.getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList(), g.getNodeCount()));
        }
        return new VariantManifest(SCHEMA_VERSION, model, operator, null, null, null, stages, files, Map.of(), Map.of(),
                Map.of(), null, null, null, 0, Instant.now().toString());
    }

    public static VariantManifest read(Path file) {
        return Json.read(file, VariantManifest.class);
    }

    public void write(Path file) throws IOException {
        Json.writeAtomically(file, this);
    }

    /** The manifest's bytes for stage {@code file}, or an error naming the manifest. */
    StageFile stageFile(String file, Path manifest) {
        return stageFiles.stream().filter(s -> s.file().equals(file)).findFirst()
                .orElseThrow(() -> InvalidInputException.field(manifest, "stageFiles", "no entry for stage '" + file + "'"));
    }
}
