package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.Suite;
import org.tiermark.model.Catalog;
import org.tiermark.model.ModelDescriptor;

/**
 * The reference models of pure model latency are catalog entries: the generated ResNet-18 with role
 * {@code reference} (in no matrix) and the published int8 MiniLM as a published variant of minilm-l6.
 */
class ReferenceModelsTest {
    static final Path HOME = PlanTest.HOME;
    final Suite suite = Suite.load(HOME);

    @Test
    void theGeneratedResnetIsACatalogModelInNoMatrix() {
        Catalog.Model m = suite.catalog().model("resnet18-synthetic");
        assertFalse(m.descriptor().inMatrix());
        // the build generated it: the whole file parses and its input matches the descriptor (224x224x3)
        m.checkInputs();
        for (Matrix.Size size : Matrix.Size.values()) {
            Matrix matrix = SuiteRun.matrix(suite, new SuiteRun.Request(HOME.resolve("results"), size, "",
                    JmhSettings.defaults(size), "", true, false, ""));
            assertFalse(matrix.models().contains("resnet18-synthetic"), size + ": " + matrix.models());
            // the links matrix measures the link-delay model, no model
            assertEquals(size == Matrix.Size.LINKS, matrix.models().isEmpty(), size + ": " + matrix.models());
        }
    }

    @Test
    void thePublishedInt8ResolvesThroughTheCatalog() {
        Path p = LatencyModels.onnx(suite, "minilm-l6", "published-int8", "against");
        assertEquals(suite.catalog().model("minilm-l6").resolve("base/all-minilm-l6-v2-q/all-minilm-l6-v2-q.onnx"), p);
        assertTrue(Files.isRegularFile(p));
        assertTrue(LatencyModels.isPublished(suite, "minilm-l6", "published-int8"));
        assertFalse(LatencyModels.isPublished(suite, "bge-spam", "published-int8"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> suite.catalog().model("minilm-l6").published("published-fp16"));
        assertTrue(e.getMessage().contains("minilm-l6.json") && e.getMessage().contains("published-int8"), e.getMessage());
    }

    @Test
    void aBadRoleOrPublishedEntryNamesTheField(@TempDir Path dir) throws Exception {
        String text = Files.readString(HOME.resolve("models/resnet18-synthetic.json"));
        Path bad = Files.writeString(dir.resolve("resnet18-synthetic.json"), text.replace("\"role\": \"reference\"", "\"role\": \"baseline\""));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Json.read(bad, ModelDescriptor.class));
        assertTrue(e.getMessage().contains("role") && e.getMessage().contains("reference") && e.getMessage().contains("baseline"),
                e.getMessage());
        Path empty = Files.writeString(dir.resolve("x.json"), text.replace("\"role\": \"reference\"",
                "\"role\": \"reference\", \"published\": {\"published-int8\": \"\"}"));
        e = assertThrows(InvalidInputException.class, () -> Json.read(empty, ModelDescriptor.class));
        assertTrue(e.getMessage().contains("published.published-int8"), e.getMessage());
    }
}
