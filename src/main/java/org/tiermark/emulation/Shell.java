package org.tiermark.emulation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system tools emulation needs ({@code ip}, {@code tc}, {@code nsenter}); a failure names the command and its error output. */
final class Shell {
    private Shell() {}

    /** The command's standard output; a non-zero exit is an {@link IllegalStateException} with the command and stderr. */
    static String run(String... command) {
        Result r = tryRun(command);
        if (r.exit != 0) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed (exit " + r.exit + "): " + r.err.strip());
        }
        return r.out;
    }

    /** Exit code, stdout and stderr of the command. */
    record Result(int exit, String out, String err) {}

    static Result tryRun(String... command) {
        try {
            Path err = Files.createTempFile("tiermark-shell", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within 30 s");
                }
                return new Result(p.exitValue(), out, Files.readString(err));
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run '" + String.join(" ", command) + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running '" + String.join(" ", command) + "'", e);
        }
    }

    /** The executable's path if it is on PATH (or in the sbin folders root's PATH usually has). */
    static Path which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool);
            }
        }
        return null;
    }

    static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
