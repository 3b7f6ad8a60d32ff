package org.tiermark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Atomic writes: results are never seen half-written and never silently overwritten. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Writes (or replaces) a file through a temporary sibling and an atomic rename. The temporary file
     * is created like any other file (mode from the umask, 0644 usually, as JMH writes its own), not
     * with {@code Files.createTempFile}'s 0600, which a web server or CI uploader cannot read.
     */
    public static void write(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try {
            Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(Path file, String content) throws IOException {
        write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Like {@link #write} but refuses to replace an existing file: measured results are never overwritten. */
    public static void writeNew(Path file, byte[] content) throws IOException {
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "results are never overwritten");
        }
        write(file, content);
    }
}
