package org.tiermark.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.tiermark.InvalidInputException;

/** Reads every {@code *.json} of a run-folder subfolder with its record's reader; a broken file becomes a problem, not a failure. */
final class JsonFiles {
    private JsonFiles() {}

    /**
     * The records of {@code dir/*.json} in file-name order (none when {@code dir} is missing).
     *
     * @param what what a file holds, for the problem line ("stage info", "load sweep")
     */
    static <T> List<T> readEach(Path dir, Function<Path, T> read, String what, List<String> problems) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            problems.add(dir + ": cannot list: " + e.getMessage());
            return List.of();
        }
        List<T> out = new ArrayList<>();
        for (Path f : files) {
            try {
                out.add(read.apply(f));
            } catch (InvalidInputException e) {
                problems.add(e.getMessage() + "; " + what + " left out");
            }
        }
        return out;
    }
}
