package org.tiermark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/golden/}: a rendering is compared with its checked-in
 * copy, so a change of format is a visible diff in review. Regenerate them all with
 * {@code mvn -o test -Dtiermark.golden.update=true} and review the diff before committing.
 */
public final class GoldenFiles {
    public static final Path DIR = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("tiermark.golden.update");

    private GoldenFiles() {}

    /** Asserts that {@code actual} equals the golden file {@code name}, or rewrites it when updating. */
    public static void assertMatches(String name, String actual) throws IOException {
        Path file = DIR.resolve(name);
        if (UPDATE) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual);
            return;
        }
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(file + " does not exist: run the tests with -Dtiermark.golden.update=true to create it");
        }
        assertEquals(Files.readString(file), actual, name + " differs from its golden file (regenerate with -Dtiermark.golden.update=true "
                + "if the change is intended)");
    }

    /** {@code text} with every occurrence of {@code volatilePart} replaced by {@code <placeholder>}. */
    public static String mask(String text, String volatilePart, String placeholder) {
        return text.replace(volatilePart, "<" + placeholder + ">");
    }
}
