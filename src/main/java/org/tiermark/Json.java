package org.tiermark;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The one Jackson mapper of the project, and strict loading whose errors name the file and field. */
public final class Json {
    /**
     * Strict on what it reads: a duplicate key or a fraction where an integer is due is an error, not
     * a silent choice (a profile with {@code "intraOpThreads": 2.9} must not run with 2 threads).
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {}

    /** Reads a record from a JSON file; any problem becomes an {@link InvalidInputException} naming file and field. */
    public static <T> T read(Path file, Class<T> type) {
        try {
            return MAPPER.readValue(Files.readString(file), type);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": file not found");
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new InvalidInputException(file + ": unknown field '" + e.getPropertyName() + "'; valid fields: " + known, e);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String why = root instanceof InvalidInputException || root instanceof IllegalArgumentException
                    ? root.getMessage() : e.getOriginalMessage();
            throw new InvalidInputException(file + at(e) + ": " + (field.isEmpty() ? "" : "field '" + field + "': ") + why, e);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + at(e) + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads every {@code *.json} of {@code dir} (sorted; none when the folder is absent) as a record
     * whose {@code name} must equal its file name: adding a file adds an entry. Keyed by name, sorted.
     */
    public static <T> Map<String, T> readFolder(Path dir, Class<T> type, Function<T, String> name) {
        Map<String, T> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException(dir + ": cannot list: " + e.getMessage(), e);
        }
        for (Path f : files) {
            T value = read(f, type);
            String expected = f.getFileName().toString().replaceFirst("\\.json$", "");
            if (!name.apply(value).equals(expected)) {
                throw InvalidInputException.field(f, "name", "must equal the file name '" + expected
                        + "' (got '" + name.apply(value) + "')");
            }
            out.put(expected, value);
        }
        return out;
    }

    /** " line L, column C" of a parse or mapping error, or nothing when Jackson does not know it. */
    private static String at(JsonProcessingException e) {
        JsonLocation l = e.getLocation();
        return l == null || l.getLineNr() < 1 ? "" : " line " + l.getLineNr() + ", column " + l.getColumnNr();
    }

    /** Writes JSON atomically: a temporary file in the same folder, then a rename, so readers never see half a file. */
    public static void writeAtomically(Path file, Object value) throws IOException {
        AtomicFiles.write(file, MAPPER.writeValueAsBytes(value));
    }
}
