package org.tiermark.tier;

import java.util.regex.Pattern;

/** Names of tiers, links, deployments, models and operators: lower-case words joined by '-' or '+'. */
public final class Names {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._+-]*");

    private Names() {}

    public static void check(String field, String value) {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("field '" + field + "': must be a lower-case name like 'edge' or "
                    + "'mobile-edge' (got " + (value == null ? "nothing" : "'" + value + "'") + ")");
        }
    }
}
