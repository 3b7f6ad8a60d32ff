package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccuracyCommandTest {
    @Test
    void outNeverReplacesAMeasuredAccuracyFile(@TempDir Path run) throws Exception {
        Path measured = Files.writeString(run.resolve("accuracy.json"), "{\"measured\": true}\n");
        int code = Tiermark.run(new String[] {"accuracy", "--home", SuiteSmokeTest.HOME, "--model", "minilm-spam",
                "--operator", "identity", "--set", "small", "--out", run.toString()});
        assertEquals(2, code, "refused before anything is evaluated");
        assertEquals("{\"measured\": true}\n", Files.readString(measured));
    }
}
