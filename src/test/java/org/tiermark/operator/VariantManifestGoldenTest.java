package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.Json;

/**
 * The manifest format against a checked-in file, as JMH's ResultFormatTest does: a change of format
 * is a diff in review. Built from the tiny in-code CNN with fixed seeds; what varies from run to run
 * or machine to machine (time, paths, float differences of ONNX Runtime's kernels) is masked.
 * {@code -Dtiermark.golden.update=true} rewrites the file.
 */
class VariantManifestGoldenTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/variant-manifest-sptq+partition.json");

    @Test
    void manifestMatchesTheGoldenFile(@TempDir Path dir) throws Exception {
        Path model = TinyCnnOperatorsTest.tinyModel(dir);
        Variant v = VariantBuilder.build(TinyCnnOperatorsTest.ENV, TinyCnnOperatorsTest.source(model, 40),
                Operator.parse("sptq+partition"), Map.of(), dir.resolve("sptq+partition"));
        // written and read by the same record
        VariantManifest read = VariantManifest.read(v.manifest());
        assertEquals(VariantManifest.SCHEMA_VERSION, read.schemaVersion());
        ObjectNode n = (ObjectNode) Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(read));
        n.put("buildSeconds", "<masked>");
        n.put("builtAt", "<masked>");
        ((ObjectNode) n.get("source")).put("file", "<masked>");
        for (String k : new String[] {"maxAbsDiff", "meanCosine", "minCosine"}) {
            ((ObjectNode) n.get("quality")).put(k, "<masked>");
        }
        // the kernels ONNX Runtime fuses and the calibrated bytes can differ by CPU: keep the structure
        for (JsonNode f : n.get("stageFiles")) {
            ((ObjectNode) f).put("sha256", "<masked>");
            ((ObjectNode) f).put("bytes", "<masked>");
        }
        ObjectNode fused = (ObjectNode) n.get("fusedOps");
        for (String stage : new String[] {"head.onnx", "tail.onnx"}) {
            fused.put(stage, "<masked>");
        }
        String actual = Json.MAPPER.writeValueAsString(n) + "\n";
        if (Boolean.getBoolean("tiermark.golden.update")) {
            Files.writeString(GOLDEN, actual);
        }
        assertEquals(Files.readString(GOLDEN), actual, "manifest format changed: review, then rerun with -Dtiermark.golden.update=true");
    }
}
