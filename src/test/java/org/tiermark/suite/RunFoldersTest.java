package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;

class RunFoldersTest {
    private static final RunRecord STARTED = RunRecord.started("h", "2026-11-30T03:00:00Z", "c",
            Matrix.plan(Suite.load(Path.of(".")), Matrix.Size.SMOKE, List.of("identity"), (m, o) -> 1),
            "", JmhSettings.defaults(Matrix.Size.SMOKE), List.of(), "targets.json", List.of(), null);
    private static final RunRecord DONE = STARTED.finished("2026-11-30T03:10:00Z", 3, List.of());

    @Test
    void latestPointsAtTheNewestRun(@TempDir Path results) throws Exception {
        Path older = Files.createDirectories(results.resolve("20261125-100000-host"));
        Path newer = Files.createDirectories(results.resolve("20261125-110000-host"));
        RunFolders.pointLatest(results, older, DONE);
        assertEquals(Path.of("20261125-100000-host"), Files.readSymbolicLink(results.resolve("latest")));
        RunFolders.pointLatest(results, newer, DONE);
        assertEquals(Path.of("20261125-110000-host"), Files.readSymbolicLink(results.resolve("latest")));
        // a late report of an older run does not move it back
        RunFolders.pointLatest(results, older, DONE);
        assertEquals(Path.of("20261125-110000-host"), Files.readSymbolicLink(results.resolve("latest")));
        assertTrue(Files.isDirectory(results.resolve("latest")));
        try (Stream<Path> s = Files.list(results)) {
            assertEquals(3, s.count(), "no temporary links left behind");
        }
        Path other = Files.createDirectories(results.resolve("x").resolve("latest"));
        assertThrows(InvalidInputException.class, () -> RunFolders.pointLatest(other.getParent(), newer, DONE));
    }

    @Test
    void latestNeverPointsAtARunThatIsNotComplete(@TempDir Path results) throws Exception {
        Path run = Files.createDirectories(results.resolve("20261125-100000-host"));
        assertFalse(RunFolders.pointLatest(results, run, STARTED));
        assertFalse(RunFolders.pointLatest(results, run, STARTED.finished("t", 0, List.of())));
        assertFalse(Files.exists(results.resolve(RunFolders.LATEST)));
    }
}
