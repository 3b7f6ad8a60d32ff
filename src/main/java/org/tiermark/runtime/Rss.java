package org.tiermark.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process (Linux /proc), to tell whether a variant fits a tier's budget. */
public final class Rss {
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE = 4096;

    private Rss() {}

    /** Resident bytes, or -1 where /proc is not available. */
    public static long bytes() {
        try {
            String[] f = Files.readString(STATM).trim().split("\\s+");
            return Long.parseLong(f[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
