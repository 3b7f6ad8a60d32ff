package org.tiermark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writtenFilesGetTheModeOfAnyNewFileNotCreateTempFiles0600() throws Exception {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path written = dir.resolve("report.md");
        AtomicFiles.write(written, "x");
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(written);
        assertEquals(Files.getPosixFilePermissions(plain), mode, "the umask decides, as for JMH's own files");
        // the usual umask 022 leaves the file readable by others; 0600 would not
        if (Files.getPosixFilePermissions(plain).contains(PosixFilePermission.OTHERS_READ)) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ), mode);
        }
        AtomicFiles.write(written, "y");
        assertEquals("y", Files.readString(written));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary file is left behind");
        }
    }

    @Test
    void writeNewNeverReplacesAFile() throws Exception {
        Path f = dir.resolve("jmh.json");
        AtomicFiles.writeNew(f, new byte[] {1});
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.writeNew(f, new byte[] {2}));
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(f));
    }
}
