package org.tiermark.operator;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * How a variant folder is replaced without ever losing the cached one: a build writes into a hidden
 * sibling ({@code .<operator>.building-<n>}), manifest last; only a complete build is swapped in (old
 * folder renamed aside, new one renamed in, old one deleted). What a killed build leaves behind is
 * tidied by {@link #recover} at the next build of the same variant.
 */
final class VariantFolders {
    private static final String BUILDING = ".building-";
    private static final String OLD = ".old-";

    private VariantFolders() {}

    /** A fresh, empty work folder beside {@code folder}. */
    static Path work(Path folder) throws IOException {
        Files.createDirectories(folder.getParent());
        while (true) {
            Path w = sibling(folder, BUILDING);
            try {
                return Files.createDirectory(w);
            } catch (FileAlreadyExistsException e) {
                // another nonce
            }
        }
    }

    /** Puts the complete {@code work} folder in place of {@code folder}. */
    static void replace(Path folder, Path work) throws IOException {
        if (!Files.exists(folder)) {
            Files.move(work, folder, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Path old = sibling(folder, OLD);
        Files.move(folder, old, StandardCopyOption.ATOMIC_MOVE);
        // a kill here leaves no folder but a complete work folder and the old one: recover() restores
        Files.move(work, folder, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    /**
     * Tidies what a killed build left: when the variant folder itself is missing, the newest complete
     * leftover (manifest present; work before old) takes its place; every other leftover is deleted,
     * and so are temporary files inside the folder (half-written stage files of earlier versions,
     * which wrote in place).
     */
    static void recover(Path folder) throws IOException {
        Path parent = folder.getParent();
        if (!Files.isDirectory(parent)) {
            return;
        }
        String prefix = "." + folder.getFileName() + ".";
        List<Path> leftovers;
        try (Stream<Path> s = Files.list(parent)) {
            leftovers = s.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && (p.getFileName().toString().contains(BUILDING) || p.getFileName().toString().contains(OLD)))
                    .sorted(Comparator.comparing((Path p) -> !p.getFileName().toString().contains(BUILDING))
                            .thenComparing(Path::toString))
                    .toList();
        }
        for (Path p : leftovers) {
            if (!Files.exists(folder) && Files.isRegularFile(p.resolve(VariantStore.MANIFEST))) {
                Files.move(p, folder, StandardCopyOption.ATOMIC_MOVE);
            } else {
                deleteTree(p);
            }
        }
        if (Files.isDirectory(folder)) {
            try (Stream<Path> s = Files.list(folder)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".")
                        && p.getFileName().toString().endsWith(".tmp")).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Whether {@code name} is a build's leftover rather than a variant (for listings). */
    static boolean isLeftover(String name) {
        return name.startsWith(".");
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path sibling(Path folder, String kind) {
        return folder.resolveSibling("." + folder.getFileName() + kind + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
    }
}
