package org.tiermark.suite;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.tiermark.InvalidInputException;

/**
 * The results folder: one new folder per run, never reused, and {@code latest}, a symlink that only
 * ever points at a run that finished and measured everything it planned.
 */
public final class RunFolders {
    /** The symlink in the results folder naming the newest complete run. */
    public static final String LATEST = "latest";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private RunFolders() {}

    /**
     * Checks that {@code results} is, or can become, a folder new runs can be written into: called
     * before anything is built or measured, so a wrong {@code --results} costs nothing.
     */
    public static void checkWritable(Path results) {
        if (Files.exists(results) && !Files.isDirectory(results)) {
            throw new InvalidInputException("--results " + results + ": is a file; give a folder for run folders");
        }
        try {
            Files.createDirectories(results);
            Path probe = Files.createTempFile(results, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (FileSystemException e) {
            throw new InvalidInputException("--results " + results + ": cannot write there (" + reason(e) + ")");
        } catch (IOException e) {
            throw new InvalidInputException("--results " + results + ": cannot write there (" + e.getMessage() + ")");
        }
    }

    /** A new folder {@code <UTC stamp>-<host>} that did not exist before: runs are never overwritten. */
    public static Path create(Path results) throws IOException {
        checkWritable(results);
        String base = STAMP.format(Instant.now()) + "-" + host();
        for (int i = 1; ; i++) {
            Path dir = results.resolve(i == 1 ? base : base + "-" + i);
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // another run started in the same second: take the next suffix
            }
        }
    }

    /**
     * Points {@code results/latest} at {@code runDir} when its run is {@link RunRecord#complete()} and
     * {@code latest} does not already point at a newer run (run folders are named by UTC start time, so
     * names order by time). Atomic: a temporary symlink renamed over the old one. Returns whether it moved.
     */
    public static boolean pointLatest(Path results, Path runDir, RunRecord run) throws IOException {
        if (!run.complete()) {
            return false;
        }
        Path latest = results.resolve(LATEST);
        Path target = results.toAbsolutePath().normalize().relativize(runDir.toAbsolutePath().normalize());
        if (Files.exists(latest, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isSymbolicLink(latest)) {
                throw new InvalidInputException(latest + ": exists and is not a symlink; not replacing it (it may hold results)");
            }
            Path current = Files.readSymbolicLink(latest);
            boolean newer = current.getFileName() != null
                    && current.getFileName().toString().compareTo(target.getFileName().toString()) > 0;
            if (newer && Files.isDirectory(results.resolve(current))) {
                return false;
            }
        }
        Path tmp = results.resolve(".latest-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createSymbolicLink(tmp, target);
        try {
            Files.move(tmp, latest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }

    /** This machine's name, safe for a folder name. */
    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /** The project folder's git commit, or {@code unknown}. */
    public static String gitCommit(Path home) {
        try {
            Process p = new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String reason(FileSystemException e) {
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }
}
