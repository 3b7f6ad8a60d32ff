package org.tiermark;

import java.nio.file.Path;
import java.util.Collection;

/** Bad input found before anything is measured: names the file, the field and what would be valid. */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "file: field 'x': problem". */
    public static InvalidInputException field(Path file, String field, String problem) {
        return new InvalidInputException(where(file) + "field '" + field + "': " + problem);
    }

    /** "unknown tier 'x' (in file); valid: a, b, c". */
    public static InvalidInputException unknown(String kind, String name, Path file, Collection<String> valid) {
        return new InvalidInputException("unknown " + kind + " '" + name + "'"
                + (file == null ? "" : " (in " + file + ")") + "; valid: " + String.join(", ", valid));
    }

    private static String where(Path file) {
        return file == null ? "" : file + ": ";
    }
}
