package org.tiermark.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A rendering-agnostic table: cells are numbers (Double, Long, {@link Spread}), text or null (shown
 * empty). The renderers turn it into Markdown, CSV, HTML and JSON; formatting happens only there.
 *
 * @param id file-name-safe identifier ({@code deployments}, {@code tradeoff-minilm-l6})
 * @param title heading
 * @param columns column headings, units in them
 * @param rows one list of cells per row, as many as columns
 * @param notes lines printed under the table (targets, how a figure was computed)
 */
public record Table(String id, String title, List<String> columns, List<List<Object>> rows, List<String> notes) {
    /** A median with its first and third quartiles and how many samples it is of, shown as {@code median [q1, q3] n=34}. */
    public record Spread(double median, double q1, double q3, long samples) {}

    public Table {
        Objects.requireNonNull(id, "id");
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>();
        for (List<Object> r : rows) {
            if (r.size() != columns.size()) {
                throw new IllegalArgumentException("table " + id + ": row has " + r.size() + " cells for " + columns.size() + " columns");
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(r)));
        }
        rows = List.copyOf(copy);
        notes = List.copyOf(notes);
    }

    /** Builds a table row by row. */
    public static final class Builder {
        private final String id;
        private final String title;
        private final List<String> columns;
        private final List<List<Object>> rows = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        public Builder(String id, String title, List<String> columns) {
            this.id = id;
            this.title = title;
            this.columns = columns;
        }

        public Builder row(Object... cells) {
            rows.add(Arrays.asList(cells));
            return this;
        }

        public Builder row(List<Object> cells) {
            rows.add(cells);
            return this;
        }

        public Builder note(String note) {
            notes.add(note);
            return this;
        }

        public boolean isEmpty() {
            return rows.isEmpty();
        }

        public Table build() {
            return new Table(id, title, columns, rows, notes);
        }
    }
}
