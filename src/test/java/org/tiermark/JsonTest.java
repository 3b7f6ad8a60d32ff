package org.tiermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.tier.TierProfile;

class JsonTest {
    @TempDir
    Path dir;

    private String refused(String json) throws IOException {
        Path f = dir.resolve("edge.json");
        Files.writeString(f, json);
        String m = assertThrows(InvalidInputException.class, () -> Json.read(f, TierProfile.class)).getMessage();
        assertTrue(m.startsWith(f.toString()), m);
        return m;
    }

    @Test
    void aFractionWhereAnIntegerIsDueIsRefused() throws IOException {
        String m = refused("""
                {"name": "edge", "intraOpThreads": 2.9, "interOpThreads": 1, "relativeSpeed": 0.5, "memoryBudgetMb": 16384}""");
        assertTrue(m.contains("intraOpThreads"), m);
        m = refused("""
                {"name": "edge", "intraOpThreads": 2, "interOpThreads": 1, "relativeSpeed": 0.5, "memoryBudgetMb": 1.7}""");
        assertTrue(m.contains("memoryBudgetMb"), m);
    }

    @Test
    void aDuplicateKeyIsRefusedWithItsPlace() throws IOException {
        String m = refused("""
                {"name": "edge", "intraOpThreads": 2, "interOpThreads": 1,
                 "relativeSpeed": 0.5, "relativeSpeed": 0.05, "memoryBudgetMb": 16384}""");
        assertTrue(m.contains("relativeSpeed") && m.contains("line 2"), m);
    }

    @Test
    void malformedJsonNamesLineAndColumn() throws IOException {
        String m = refused("{\"name\": \"edge\",\n  \"intraOpThreads\": 2,,\n}");
        assertTrue(m.contains("line 2, column"), m);
        assertTrue(m.contains("not valid JSON"), m);
    }

    @Test
    void wholeNumbersStillLoad() throws IOException {
        Path f = dir.resolve("edge.json");
        Files.writeString(f, """
                {"name": "edge", "intraOpThreads": 2, "interOpThreads": 1, "relativeSpeed": 1, "memoryBudgetMb": 16384}""");
        assertEquals(1.0, Json.read(f, TierProfile.class).relativeSpeed());
    }
}
