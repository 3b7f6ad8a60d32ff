package org.tiermark.report;

/** Time units as JMH writes them ({@code ms/op}, {@code us/op}, ...) and conversions to milliseconds. */
public final class Units {
    private Units() {}

    /** Milliseconds per one {@code unit}, or NaN when {@code unit} is not a time (per operation). */
    public static double toMillis(String unit) {
        if (unit == null) {
            return Double.NaN;
        }
        String u = unit.endsWith("/op") ? unit.substring(0, unit.length() - 3) : unit;
        return switch (u) {
            case "ns" -> 1e-6;
            case "us", "\u00b5s" -> 1e-3;
            case "ms" -> 1.0;
            case "s" -> 1000.0;
            case "min" -> 60_000.0;
            default -> Double.NaN;
        };
    }

    /** True for a throughput unit, where bigger is better ({@code ops/s}). */
    public static boolean higherIsBetter(String unit) {
        return unit != null && unit.startsWith("ops/");
    }
}
