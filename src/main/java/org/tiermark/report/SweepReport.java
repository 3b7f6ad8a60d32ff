package org.tiermark.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.tiermark.AtomicFiles;
import org.tiermark.Json;

/**
 * The report of a bandwidth sweep: the median request latency of every (model, operator, deployment) of
 * {@code DeploymentBenchmark} at each bandwidth (table and one plot per model), the best strategy (operator
 * and deployment) per model at each bandwidth, and the bandwidths between which it changes (the crossovers).
 */
public final class SweepReport {
    public static final String FILE = "sweep.md";
    public static final String JSON_FILE = "sweep-report.json";
    private static final String BENCHMARK = "DeploymentBenchmark.";

    private SweepReport() {}

    /** One strategy of one model: its median latency in ms at each bandwidth it was measured at. */
    public record Row(String model, String operator, String deployment, Map<Double, Double> medianMsByMbps) {
        public String strategy() {
            return operator + " @ " + deployment;
        }
    }

    /** Where the best strategy of {@code model} changes: from {@code below} at {@code fromMbps} to {@code above} at {@code toMbps}. */
    public record Crossover(String model, double fromMbps, String below, double toMbps, String above) {}

    /** Rows, best strategy per model and bandwidth, crossovers, and what could not be read. */
    public record Result(String link, List<Double> bandwidthsMbps, List<Row> rows, Map<String, Map<Double, String>> best,
                         List<Crossover> crossovers, List<String> problems) {}

    /** Reads each point's {@code jmh.json}; a point without one is a problem, the others are still reported. */
    public static Result analyse(String link, Map<Double, Path> runsByMbps) {
        Map<Double, List<Measurement>> measured = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        new TreeMap<>(runsByMbps).forEach((mbps, run) -> {
            Path json = run.resolve("jmh.json");
            if (!Files.isRegularFile(json)) {
                problems.add(mbps + " Mbit/s: " + json + " not found (the point measured nothing)");
                measured.put(mbps, List.of());
                return;
            }
            Readout r = JmhReader.read(json);
            r.problems().forEach(p -> problems.add(mbps + " Mbit/s: " + p));
            measured.put(mbps, r.measurements());
        });
        return analyseMeasurements(link, measured, problems);
    }

    /** The sweep's rows, best strategies and crossovers from each bandwidth's measurements. */
    static Result analyseMeasurements(String link, Map<Double, List<Measurement>> measured, List<String> problems) {
        Map<Double, List<Measurement>> runs = new TreeMap<>(measured);
        Map<List<String>, Map<Double, Double>> medians = new TreeMap<>((a, b) -> String.join("\0", a).compareTo(String.join("\0", b)));
        for (Map.Entry<Double, List<Measurement>> e : runs.entrySet()) {
            for (Measurement m : e.getValue()) {
                if (!m.shortName().startsWith(BENCHMARK) || m.param("model") == null || m.param("operator") == null
                        || m.param("deployment") == null || "off".equals(m.param("linkDelay")) || Double.isNaN(m.toMillis())) {
                    continue;
                }
                medians.computeIfAbsent(List.of(m.param("model"), m.param("operator"), m.param("deployment")), k -> new TreeMap<>())
                        .put(e.getKey(), m.samples().median() * m.toMillis());
            }
        }
        List<Row> rows = new ArrayList<>();
        medians.forEach((k, v) -> rows.add(new Row(k.get(0), k.get(1), k.get(2), v)));
        Map<String, Map<Double, String>> best = new TreeMap<>();
        for (double mbps : runs.keySet()) {
            Map<String, Row> fastest = new TreeMap<>();
            for (Row row : rows) {
                Double ms = row.medianMsByMbps().get(mbps);
                Row f = fastest.get(row.model());
                if (ms != null && (f == null || ms < f.medianMsByMbps().get(mbps))) {
                    fastest.put(row.model(), row);
                }
            }
            fastest.forEach((model, row) -> best.computeIfAbsent(model, m -> new TreeMap<>()).put(mbps, row.strategy()));
        }
        List<Crossover> crossovers = new ArrayList<>();
        best.forEach((model, byMbps) -> {
            Map.Entry<Double, String> previous = null;
            for (Map.Entry<Double, String> e : byMbps.entrySet()) {
                if (previous != null && !previous.getValue().equals(e.getValue())) {
                    crossovers.add(new Crossover(model, previous.getKey(), previous.getValue(), e.getKey(), e.getValue()));
                }
                previous = e;
            }
        });
        return new Result(link, List.copyOf(runs.keySet()), rows, best, crossovers, List.copyOf(problems));
    }

    /** Writes {@value #FILE}, {@value #JSON_FILE} and a plot per model into {@code dir}; returns the problems. */
    public static List<String> write(Path dir, String link, Map<Double, Path> runsByMbps) throws IOException {
        Result r = analyse(link, runsByMbps);
        List<String> problems = new ArrayList<>(r.problems());
        List<String> plots = new ArrayList<>();
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        for (String model : r.best().keySet()) {
            try {
                Path png = dir.resolve("sweep-" + model + ".png");
                AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart(r, model), BitmapEncoder.BitmapFormat.PNG));
                plots.add(png.getFileName().toString());
            } catch (IOException | RuntimeException e) {
                problems.add("plot of " + model + " not drawn: " + e);
            }
        }
        AtomicFiles.write(dir.resolve(FILE), markdown(r, runsByMbps, plots, problems));
        Json.writeAtomically(dir.resolve(JSON_FILE), r);
        return problems;
    }

    /** Latency against bandwidth for one model, a line per strategy, both axes logarithmic. */
    static XYChart chart(Result r, String model) {
        XYChart c = new XYChartBuilder().width(800).height(500).title("Latency against " + r.link() + " bandwidth: " + model)
                .xAxisTitle(r.link() + " bandwidth (Mbit/s)").yAxisTitle("median latency (ms)").build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(true);
        for (Row row : r.rows()) {
            if (!row.model().equals(model) || row.medianMsByMbps().isEmpty()) {
                continue;
            }
            List<Double> x = new ArrayList<>(row.medianMsByMbps().keySet());
            List<Double> y = new ArrayList<>(row.medianMsByMbps().values());
            c.addSeries(row.strategy(), x, y);
        }
        return c;
    }

    static String markdown(Result r, Map<Double, Path> runs, List<String> plots, List<String> problems) {
        StringBuilder s = new StringBuilder("# Bandwidth sweep of link " + r.link() + "\n\n");
        s.append("Each bandwidth is a suite run of its own (compare and gate work on it as on any run):\n\n| Mbit/s | run |\n| ---: | --- |\n");
        new TreeMap<>(runs).forEach((mbps, run) -> s.append("| ").append(mbps(mbps)).append(" | ").append(run.getFileName()).append(" |\n"));
        s.append("\n## Median request latency (ms) against bandwidth\n\n| model | operator | deployment |");
        r.bandwidthsMbps().forEach(b -> s.append(' ').append(mbps(b)).append(" Mbit/s |"));
        s.append("\n| --- | --- | --- |");
        r.bandwidthsMbps().forEach(b -> s.append(" ---: |"));
        s.append('\n');
        for (Row row : r.rows()) {
            s.append("| ").append(row.model()).append(" | ").append(row.operator()).append(" | ").append(row.deployment()).append(" |");
            for (double b : r.bandwidthsMbps()) {
                Double ms = row.medianMsByMbps().get(b);
                s.append(' ').append(ms == null ? "-" : String.format(Locale.ROOT, "%.3f", ms)).append(" |");
            }
            s.append('\n');
        }
        s.append("\n## Best strategy (operator @ deployment) per bandwidth\n\n| model |");
        r.bandwidthsMbps().forEach(b -> s.append(' ').append(mbps(b)).append(" Mbit/s |"));
        s.append("\n| --- |");
        r.bandwidthsMbps().forEach(b -> s.append(" --- |"));
        s.append('\n');
        r.best().forEach((model, byMbps) -> {
            s.append("| ").append(model).append(" |");
            r.bandwidthsMbps().forEach(b -> s.append(' ').append(byMbps.getOrDefault(b, "-")).append(" |"));
            s.append('\n');
        });
        s.append("\n## Crossovers\n\n");
        if (r.crossovers().isEmpty()) {
            s.append("The best strategy of each model is the same at every bandwidth of the sweep.\n");
        }
        for (Crossover c : r.crossovers()) {
            s.append("- ").append(c.model()).append(": between ").append(mbps(c.fromMbps())).append(" and ").append(mbps(c.toMbps()))
                    .append(" Mbit/s the best changes from ").append(c.below()).append(" to ").append(c.above()).append('\n');
        }
        if (!plots.isEmpty()) {
            s.append("\n## Plots\n\n");
            plots.forEach(p -> s.append("![").append(p).append("](").append(p).append(")\n\n"));
        }
        if (!problems.isEmpty()) {
            s.append("\n## Problems\n\n");
            problems.forEach(p -> s.append("- ").append(p).append('\n'));
        }
        return s.toString();
    }

    private static String mbps(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
