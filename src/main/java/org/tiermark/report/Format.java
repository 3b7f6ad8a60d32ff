package org.tiermark.report;

import java.util.Locale;

/** Number formatting shared by the renderers: 4 significant digits for people, full precision for machines. */
final class Format {
    private Format() {}

    /** A cell for people: numbers to 4 significant digits, p-values in scientific notation when tiny. */
    static String human(Object cell) {
        if (cell == null) {
            return "";
        }
        if (cell instanceof Double d) {
            return sig(d, 4);
        }
        if (cell instanceof Float f) {
            return sig(f, 4);
        }
        if (cell instanceof Table.Spread s) {
            return spread(s);
        }
        return cell.toString();
    }

    /** A cell for CSV: full precision, no grouping. */
    static String machine(Object cell) {
        if (cell == null) {
            return "";
        }
        if (cell instanceof Double d) {
            return Double.isNaN(d) ? "" : Double.toString(d);
        }
        if (cell instanceof Table.Spread s) {
            // one CSV cell, as people read it: full precision of all three is in report.json
            return spread(s);
        }
        return cell.toString();
    }

    private static String spread(Table.Spread s) {
        return sig(s.median(), 4) + " [" + sig(s.q1(), 4) + ", " + sig(s.q3(), 4) + "] n=" + s.samples();
    }

    static String sig(double v, int digits) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a < 1e-3 || a >= 1e7) {
            return String.format(Locale.ROOT, "%." + (digits - 1) + "e", v);
        }
        int mag = (int) Math.floor(Math.log10(a));
        int decimals = Math.max(0, digits - 1 - mag);
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String pct(double fraction) {
        return Double.isNaN(fraction) ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
