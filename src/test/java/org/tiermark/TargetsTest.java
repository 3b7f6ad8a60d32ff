package org.tiermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {
    @Test
    void theProjectsTargetsLoad() {
        Targets t = Targets.load(Path.of("."));
        assertTrue(t.targets().size() >= 4);
        Targets.Target first = t.targets().get(0);
        assertEquals("HarnessOverheadBenchmark", first.benchmarkClass());
        assertEquals("paired", first.benchmarkMethod());
    }

    @Test
    void aPairedRatioWithoutMaxNamesTheField(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve("profiles"));
        Files.writeString(home.resolve(Targets.FILE), """
                {"schemaVersion": 1, "targets": [{"id": "x", "what": "w", "benchmark": "A.b",
                 "measure": {"kind": "pairedRatio", "numerator": "a", "denominator": "b"}}]}""");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Targets.load(home));
        assertTrue(e.getMessage().contains("'max'"), e.getMessage());
        assertTrue(e.getMessage().contains("targets.json"), e.getMessage());
    }
}
