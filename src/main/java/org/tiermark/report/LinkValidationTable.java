package org.tiermark.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The simulated link-delay model against emulated links, per cell (link, connection, bandwidth, payload), from
 * {@code LinkTransferBenchmark}'s counters: the sender's mean transfer time, and the model's prediction before
 * calibration (payload bits only) and after it, each with its error, and whether the calibrated model is within the
 * issue's target of 5%. Absent when the run has no such benchmark.
 */
final class LinkValidationTable {
    static final String BENCHMARK = "LinkTransferBenchmark.";

    private LinkValidationTable() {}

    /** The table, or null when no measurement is of the link-transfer benchmark. */
    static Table of(List<Measurement> measurements) {
        List<Measurement> cells = new ArrayList<>(measurements.stream()
                .filter(m -> m.shortName().startsWith(BENCHMARK) && m.secondary().containsKey("transfers")).toList());
        if (cells.isEmpty()) {
            return null;
        }
        cells.sort(Comparator.comparing((Measurement m) -> m.param("link") == null ? "" : m.param("link"))
                .thenComparing(m -> m.param("connection") == null ? "" : m.param("connection"))
                .thenComparingDouble(m -> number(m.param("bandwidthMbps")))
                .thenComparingDouble(m -> number(m.param("payloadBytes"))));
        Table.Builder t = new Table.Builder("link-validation", "Link-delay model against emulated links (error = (measured - predicted) / predicted)",
                List.of("link", "connection", "Mbit/s", "payload bytes", "measured (ms)", "before (ms)", "before error (%)",
                        "after (ms)", "after error (%)", "after within 5%"));
        for (Measurement m : cells) {
            double measured = m.secondaryPer("transferNanos", "transfers") / 1e6;
            double before = m.secondaryPer("payloadOnlyNanos", "transfers") / 1e6;
            double after = m.secondaryPer("modelNanos", "transfers") / 1e6;
            t.row(m.param("link"), m.param("connection"), number(m.param("bandwidthMbps")), (long) number(m.param("payloadBytes")),
                    measured, before, percent(measured, before), after, percent(measured, after),
                    Math.abs(percent(measured, after)) <= 5 ? "yes" : "no");
        }
        return t.note("measured: the sender's own timing inside the mobile namespace, mean per transfer; before: payload "
                        + "bits over bandwidth plus the round trip; after: the calibrated model of the link profile (docs/emulation.md)")
                .build();
    }

    private static double percent(double measured, double predicted) {
        return Math.round((measured - predicted) / predicted * 1000) / 10.0;
    }

    private static double number(String value) {
        try {
            return value == null ? Double.NaN : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
