package org.tiermark.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.InvalidInputException;

/**
 * Command-line arguments: {@code --name=value}, {@code --name value} or a bare {@code --flag}, plus
 * positional arguments. Unknown options are an error naming the valid ones.
 */
public final class Args {
    private final String command;
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * Parses {@code argv}. {@code flags} are options without a value; every other option takes one.
     * {@code --help} is always accepted.
     */
    public static Args parse(String command, String[] argv, Set<String> valueOptions, Set<String> flags) {
        Args a = new Args(command);
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--")) {
                a.positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("help") || flags.contains(name)) {
                if (value != null) {
                    throw new InvalidInputException(command + ": option --" + name + " takes no value");
                }
                a.options.put(name, "true");
            } else if (valueOptions.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new InvalidInputException(command + ": option --" + name + " needs a value");
                    }
                    value = argv[++i];
                }
                a.options.put(name, value);
            } else {
                List<String> valid = new ArrayList<>();
                valueOptions.forEach(o -> valid.add("--" + o));
                flags.forEach(o -> valid.add("--" + o));
                valid.add("--help");
                throw new InvalidInputException(command + ": unknown option --" + name + "; valid: " + String.join(", ", valid));
            }
        }
        return a;
    }

    public boolean has(String name) {
        return options.containsKey(name);
    }

    /** The option's value, or {@code fallback} when absent or empty (Maven passes empty properties). */
    public String get(String name, String fallback) {
        String v = options.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    public int getInt(String name, int fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(command + ": option --" + name + " must be an integer (got '" + v + "')");
        }
    }

    public double getDouble(String name, double fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(command + ": option --" + name + " must be a number (got '" + v + "')");
        }
    }

    public List<String> positional() {
        return List.copyOf(positional);
    }

    public String command() {
        return command;
    }
}
