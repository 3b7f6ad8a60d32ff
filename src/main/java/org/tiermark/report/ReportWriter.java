package org.tiermark.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.tiermark.AtomicFiles;
import org.tiermark.Json;

/**
 * Renders a {@link Report}: {@code report.md}, {@code report.csv} (the headline table),
 * {@code tables/<id>.csv} (every table), {@code report.html} (self-contained: styles inline,
 * plots as data: URIs) and {@code report.json} (everything, for CI and other tools).
 */
public final class ReportWriter {
    private ReportWriter() {}

    /** Writes every rendering into {@code dir}; returns the files written. */
    public static List<Path> write(Report r, Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        Files.createDirectories(dir);
        out.add(write(dir.resolve("report.md"), markdown(r)));
        Table headline = r.tables().stream().filter(t -> t.id().equals("deployments")).findFirst()
                .orElse(r.tables().stream().filter(t -> t.id().equals("benchmarks")).findFirst().orElse(null));
        if (headline != null) {
            out.add(write(dir.resolve("report.csv"), csv(headline)));
        }
        for (Table t : r.tables()) {
            out.add(write(dir.resolve("tables").resolve(t.id() + ".csv"), csv(t)));
        }
        for (Report.PairwiseResult p : r.conover()) {
            out.add(write(dir.resolve("tables").resolve("conover-" + safe(p.tradeOff() + "-" + p.fixed()) + ".csv"), csv(conoverTable(p))));
        }
        out.add(write(dir.resolve("report.html"), html(r, dir)));
        Path json = dir.resolve("report.json");
        Json.writeAtomically(json, r);
        out.add(json);
        return out;
    }

    private static String safe(String s) {
        return s.toLowerCase().replaceAll("[^a-z0-9._+-]+", "-");
    }

    private static Path write(Path file, String text) throws IOException {
        AtomicFiles.write(file, text);
        return file;
    }

    /** Conover p-values as a table: cell "p / p(Holm)". */
    static Table conoverTable(Report.PairwiseResult p) {
        List<String> cols = new ArrayList<>(List.of(p.across()));
        cols.addAll(p.levels());
        Table.Builder t = new Table.Builder("conover", "Conover post-hoc, " + p.tradeOff() + ", " + p.fixed() + ", across " + p.across()
                + ": p / p(Holm)", cols);
        for (int i = 0; i < p.levels().size(); i++) {
            List<Object> row = new ArrayList<>(List.of(p.levels().get(i)));
            for (int j = 0; j < p.levels().size(); j++) {
                row.add(i == j ? "" : Format.sig(p.p()[i][j], 4) + " / " + Format.sig(p.pHolm()[i][j], 4));
            }
            t.row(row);
        }
        return t.build();
    }

    static String csv(Table t) {
        StringBuilder s = new StringBuilder();
        s.append(csvLine(t.columns().stream().map(Object.class::cast).toList(), false));
        for (List<Object> row : t.rows()) {
            s.append(csvLine(row, true));
        }
        return s.toString();
    }

    private static String csvLine(List<Object> cells, boolean machine) {
        List<String> out = new ArrayList<>();
        for (Object c : cells) {
            String v = machine ? Format.machine(c) : String.valueOf(c);
            if (v.contains(",") || v.contains("\"") || v.contains("\n")) {
                v = "\"" + v.replace("\"", "\"\"") + "\"";
            }
            out.add(v);
        }
        return String.join(",", out) + "\n";
    }

    /** One table as Markdown (what the build prints for the regression gate). */
    public static String markdownTable(Table t) {
        return markdown(t);
    }

    static String markdown(Table t) {
        StringBuilder s = new StringBuilder();
        s.append("### ").append(t.title()).append("\n\n");
        s.append("| ").append(String.join(" | ", t.columns().stream().map(ReportWriter::md).toList())).append(" |\n");
        s.append("|").append(" --- |".repeat(t.columns().size())).append("\n");
        for (List<Object> row : t.rows()) {
            s.append("| ").append(String.join(" | ", row.stream().map(c -> md(Format.human(c))).toList())).append(" |\n");
        }
        s.append("\n");
        t.notes().forEach(n -> s.append("- ").append(n).append("\n"));
        return s.append("\n").toString();
    }

    private static String md(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String markdown(Report r) {
        StringBuilder s = new StringBuilder();
        s.append("# ").append(r.title()).append("\n\n");
        r.interruption().ifPresent(i -> s.append("**INCOMPLETE RUN: ").append(i).append("**\n\n"));
        s.append("Inputs: ").append(String.join(", ", r.inputs())).append("\n\n");
        r.notes().forEach(n -> s.append("**Note:** ").append(n).append("\n\n"));
        if (!r.summaries().isEmpty()) {
            s.append("## Summary\n\n");
            for (Report.Summary m : r.summaries()) {
                s.append("### ").append(m.group()).append("\n\n");
                m.recommended().forEach(x -> s.append("- ").append(x).append("\n"));
                s.append("\n");
                if (m.plot() != null) {
                    s.append("![latency vs accuracy, ").append(m.group()).append("](").append(m.plot()).append(")\n\n");
                }
                s.append("Findings:\n\n");
                for (int i = 0; i < m.findings().size(); i++) {
                    s.append(i + 1).append(". ").append(m.findings().get(i)).append("\n");
                }
                s.append("\n");
            }
        }
        if (!r.run().isEmpty()) {
            s.append("Run: ");
            List<String> kv = new ArrayList<>();
            r.run().forEach((k, v) -> {
                if (!(v instanceof Map) && !(v instanceof List)) {
                    kv.add(k + "=" + v);
                }
            });
            s.append(String.join(", ", kv)).append("\n\n");
        }
        if (r.gate() != null) {
            s.append("**Regression gate: ").append(r.gate().failed() ? "FAILED: " + r.gate().reason() : "passed").append("** (")
                    .append(r.gate().regressions().size()).append(" regressions, ").append(r.gate().improvements().size())
                    .append(" improvements)\n\n");
        }
        if (!r.problems().isEmpty()) {
            s.append("## Problems\n\n");
            r.problems().forEach(p -> s.append("- ").append(p).append("\n"));
            s.append("\n");
        }
        if (!r.checks().isEmpty()) {
            s.append("## Targets\n\n");
            for (Report.Check c : r.checks()) {
                s.append("- ").append(c.target()).append(" ").append(c.subject()).append(": ").append(Format.sig(c.value(), 4))
                        .append(c.threshold().isEmpty() ? "" : " (target " + c.threshold() + ")")
                        .append(c.pass() == null ? "" : c.pass() ? ": pass" : ": **FAIL**").append("\n");
            }
            s.append("\n");
        }
        if (!r.recommendations().isEmpty()) {
            s.append("## Recommendations\n\n");
            String scope = null;
            for (Report.Recommendation rec : r.recommendations()) {
                String sc = rec.tradeOff() + " / " + rec.scope();
                if (!sc.equals(scope)) {
                    s.append("\n**").append(sc).append("**\n\n");
                    scope = sc;
                }
                s.append("- ").append(rec.text()).append("\n");
            }
            s.append("\n");
        }
        s.append("## Tables\n\n");
        r.tables().forEach(t -> s.append(markdown(t)));
        if (!r.conover().isEmpty()) {
            s.append("## Conover post-hoc tests\n\n");
            r.conover().forEach(p -> s.append(markdown(conoverTable(p))));
        }
        if (!r.plots().isEmpty()) {
            s.append("## Plots\n\n");
            r.plots().stream().filter(p -> p.endsWith(".png")).forEach(p -> s.append("![").append(p).append("](").append(p).append(")\n\n"));
        }
        return s.toString();
    }

    static String html(Report r, Path dir) throws IOException {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(r.title())).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;margin:1em 0}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}"
                        + ".fail{color:#b00;font-weight:bold}.note{color:#555;font-size:90%}img{max-width:100%}</style></head><body>\n");
        s.append("<h1>").append(esc(r.title())).append("</h1>\n");
        r.interruption().ifPresent(i -> s.append("<p class=\"fail\">INCOMPLETE RUN: ").append(esc(i)).append("</p>\n"));
        s.append("<p>Inputs: ").append(esc(String.join(", ", r.inputs()))).append("</p>\n");
        r.notes().forEach(n -> s.append("<p><b>Note:</b> ").append(esc(n)).append("</p>\n"));
        if (!r.summaries().isEmpty()) {
            s.append("<h2>Summary</h2>\n");
            for (Report.Summary m : r.summaries()) {
                s.append("<h3>").append(esc(m.group())).append("</h3><ul>");
                m.recommended().forEach(x -> s.append("<li>").append(esc(x.replace("**", ""))).append("</li>"));
                s.append("</ul>\n");
                if (m.plot() != null && Files.isRegularFile(dir.resolve(m.plot()))) {
                    s.append("<img alt=\"").append(esc(m.plot())).append("\" src=\"data:image/png;base64,")
                            .append(Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(m.plot())))).append("\">\n");
                }
                s.append("<ol>");
                m.findings().forEach(f -> s.append("<li>").append(esc(f)).append("</li>"));
                s.append("</ol>\n");
            }
        }
        if (r.gate() != null) {
            s.append("<p class=\"").append(r.gate().failed() ? "fail" : "").append("\">Regression gate: ")
                    .append(esc(r.gate().failed() ? "FAILED: " + r.gate().reason() : "passed")).append("</p>\n");
        }
        if (!r.problems().isEmpty()) {
            s.append("<h2>Problems</h2><ul>");
            r.problems().forEach(p -> s.append("<li>").append(esc(p)).append("</li>"));
            s.append("</ul>\n");
        }
        if (!r.checks().isEmpty()) {
            s.append("<h2>Targets</h2><ul>");
            for (Report.Check c : r.checks()) {
                s.append("<li").append(Boolean.FALSE.equals(c.pass()) ? " class=\"fail\"" : "").append(">")
                        .append(esc(c.target() + " " + c.subject() + ": " + Format.sig(c.value(), 4)
                                + (c.threshold().isEmpty() ? "" : " (target " + c.threshold() + ")")
                                + (c.pass() == null ? "" : c.pass() ? ": pass" : ": FAIL"))).append("</li>");
            }
            s.append("</ul>\n");
        }
        if (!r.recommendations().isEmpty()) {
            s.append("<h2>Recommendations</h2><ul>");
            r.recommendations().forEach(rec -> s.append("<li><b>").append(esc(rec.tradeOff() + " / " + rec.scope())).append("</b>: ")
                    .append(esc(rec.text())).append("</li>"));
            s.append("</ul>\n");
        }
        for (String p : r.plots()) {
            if (p.endsWith(".png")) {
                byte[] png = Files.readAllBytes(dir.resolve(p));
                s.append("<figure><img alt=\"").append(esc(p)).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(esc(p))
                        .append("</figcaption></figure>\n");
            }
        }
        for (Table t : r.tables()) {
            s.append(html(t));
        }
        for (Report.PairwiseResult p : r.conover()) {
            s.append(html(conoverTable(p)));
        }
        return s.append("</body></html>\n").toString();
    }

    private static String html(Table t) {
        StringBuilder s = new StringBuilder("<h2>").append(esc(t.title())).append("</h2>\n<table><tr>");
        t.columns().forEach(c -> s.append("<th>").append(esc(c)).append("</th>"));
        s.append("</tr>\n");
        for (List<Object> row : t.rows()) {
            s.append("<tr>");
            row.forEach(c -> s.append("<td>").append(esc(Format.human(c))).append("</td>"));
            s.append("</tr>\n");
        }
        s.append("</table>\n");
        t.notes().forEach(n -> s.append("<p class=\"note\">").append(esc(n)).append("</p>\n"));
        return s.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
