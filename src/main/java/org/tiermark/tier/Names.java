package org.tiermark.tier;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.tiermark.InvalidInputException;

/**
 * Names of tiers, links, deployments, models and operators: lower-case words joined by '-' or '+';
 * and the lower-case ids of the choices given as enums.
 */
public final class Names {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._+-]*");

    private Names() {}

    public static void check(String field, String value) {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("field '" + field + "': must be a lower-case name like 'edge' or "
                    + "'mobile-edge' (got " + (value == null ? "nothing" : "'" + value + "'") + ")");
        }
    }

    /** The id of an enum choice as written in parameters and files: its name in lower case. */
    public static String id(Enum<?> choice) {
        return choice.name().toLowerCase(Locale.ROOT);
    }

    /** The choice of {@code type} whose id is {@code value}; otherwise an error naming {@code what} and the valid ids. */
    public static <E extends Enum<E>> E parse(Class<E> type, String value, String what) {
        for (E choice : type.getEnumConstants()) {
            if (id(choice).equals(value)) {
                return choice;
            }
        }
        throw new InvalidInputException("unknown " + what + " '" + value + "'; valid: "
                + Arrays.stream(type.getEnumConstants()).map(Names::id).collect(Collectors.joining(", ")));
    }
}
