package org.tiermark.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.tiermark.AtomicFiles;

/**
 * The report's plots with XChart, as PNG and SVG: latency against accuracy per deployment with the
 * Pareto front marked, and latency distributions (box plots) per operator and deployment.
 */
final class Plots {
    /** Observations per box at most: enough for the quartiles and whiskers, small enough to draw fast. */
    private static final int BOX_SAMPLES = 200;

    private Plots() {}

    /** Draws the plots of every trade-off group into {@code dir}; returns the written files relative to {@code base}. */
    static List<String> draw(List<TradeOffGroup> tradeOffs, Accuracy ours, Map<String, Map<String, Double>> published,
                             Path dir, Path base, List<String> problems) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        // trade-off groups are drawn in parallel (each chart is its own object); results keep their order
        List<List<String>> files = new ArrayList<>();
        tradeOffs.forEach(g -> files.add(List.of()));
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.max(1, Math.min(tradeOffs.size(), Runtime.getRuntime().availableProcessors())));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < tradeOffs.size(); i++) {
                int gi = i;
                done.add(pool.submit(() -> {
                    TradeOffGroup g = tradeOffs.get(gi);
                    try {
                        List<String> mine = new ArrayList<>();
                        XYChart scatter = scatter(g, ours, published);
                        if (scatter != null) {
                            mine.addAll(save(scatter, dir.resolve("tradeoff-" + g.id()), base, true));
                        }
                        for (String d : g.deployments()) {
                            mine.addAll(save(box(g, d), dir.resolve("latency-" + g.id() + "-" + d), base, false));
                        }
                        files.set(gi, mine);
                    } catch (IOException | RuntimeException e) {
                        failures.add("plots of " + g.title() + " not drawn: " + e);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add("plots interrupted");
        } catch (ExecutionException e) {
            failures.add("plots failed: " + e.getCause());
        } finally {
            pool.shutdownNow();
        }
        problems.addAll(failures);
        List<String> out = new ArrayList<>();
        files.forEach(out::addAll);
        return out;
    }

    static XYChart scatter(TradeOffGroup g, Accuracy ours, Map<String, Map<String, Double>> published) {
        String unit = g.unit().replace("/op", "");
        XYChart c = new XYChartBuilder().width(900).height(600).title("Latency vs accuracy: " + g.title())
                .xAxisTitle("median latency (" + unit + ")").yAxisTitle("accuracy (%)").build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(10);
        List<Double> allX = new ArrayList<>();
        List<Double> allY = new ArrayList<>();
        for (String d : g.deployments()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (String op : g.operators()) {
                Measurement m = g.cell(op, d);
                Accuracy.Figure a = ours.figure(published, g.model(), op);
                if (m != null && a != null) {
                    x.add(m.samples().median());
                    y.add(a.percent());
                }
            }
            if (!x.isEmpty()) {
                c.addSeries(d, x, y);
                allX.addAll(x);
                allY.addAll(y);
            }
        }
        if (allX.isEmpty()) {
            return null;
        }
        double[] lx = allX.stream().mapToDouble(Double::doubleValue).toArray();
        double[] ly = allY.stream().mapToDouble(Double::doubleValue).toArray();
        // every point named (operator, and the deployment when the legend's colours are not enough), just above the marker
        double yLow = allY.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double yHigh = allY.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double lift = Math.max(yHigh - yLow, 1) * 0.03;
        Map<String, String> labels = new LinkedHashMap<>();
        for (String d : g.deployments()) {
            for (String op : g.operators()) {
                Measurement m = g.cell(op, d);
                Accuracy.Figure a = ours.figure(published, g.model(), op);
                if (m != null && a != null) {
                    labels.merge(m.samples().median() + "|" + a.percent(), op + " @ " + d, (x, y) -> x + ", " + y);
                }
            }
        }
        // labels of points at one accuracy are staggered in rows, left to right, so neighbours do not overwrite each other
        Map<String, Integer> row = new LinkedHashMap<>();
        labels.entrySet().stream().sorted(Comparator.comparingDouble(e -> Double.parseDouble(e.getKey().split("\\|")[0])))
                .forEach(e -> {
                    String[] xy = e.getKey().split("\\|");
                    int k = row.merge(xy[1], 1, Integer::sum) - 1;
                    double y = Double.parseDouble(xy[1]) + (k % 2 == 0 ? 1 : -1) * lift * (1 + 1.3 * (k / 2 % 3));
                    c.addAnnotation(new AnnotationText(e.getValue(), Double.parseDouble(xy[0]), y, false));
                });
        c.getStyler().setXAxisLogarithmic(logScale(allX));
        // room for the staggered labels above the highest and below the lowest point
        c.getStyler().setYAxisMax(yHigh + 5 * lift);
        c.getStyler().setYAxisMin(yLow - 5 * lift);
        List<Integer> front = Recommendations.paretoIndices(lx, ly);
        XYSeries f = c.addSeries("Pareto front", front.stream().map(i -> lx[i]).toList(), front.stream().map(i -> ly[i]).toList());
        f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        f.setMarker(SeriesMarkers.DIAMOND);
        return c;
    }

    /**
     * The latency distributions of one deployment's operators: one chart per deployment keeps each
     * chart to a few boxes on a scale of its own (one chart of every cell drew 20 boxes wider than
     * their slots, overlapping, and squeezed the on-device boxes under the cloud's).
     */
    static BoxChart box(TradeOffGroup g, String deployment) {
        String unit = g.unit().replace("/op", "");
        List<String> ops = g.operators().stream().filter(op -> g.cell(op, deployment) != null).toList();
        List<Double> medians = ops.stream().map(op -> g.cell(op, deployment).samples().median()).toList();
        boolean log = logScale(medians);
        BoxChart c = new BoxChartBuilder().width(Math.max(500, 110 * ops.size())).height(450)
                .title("Latency on " + deployment + ": " + g.title() + (log ? ", log scale" : "")).xAxisTitle("operator")
                .yAxisTitle("latency (" + unit + ")").build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setYAxisLogarithmic(log);
        c.getStyler().setXAxisLabelRotation(30);
        for (String op : ops) {
            Samples s = g.cell(op, deployment).samples();
            c.addSeries(op + " (n=" + s.size() + ")", s.expanded(BOX_SAMPLES));
        }
        return c;
    }

    /**
     * A logarithmic latency axis when the medians span a factor of {@value #LOG_SPAN} or more: a trade-off group
     * with a 240 ms partition over a slow link and 3 ms on-device cells otherwise squeezes every
     * on-device box into the bottom pixels.
     */
    static boolean logScale(List<Double> medians) {
        double min = medians.stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).min().orElse(Double.NaN);
        double max = medians.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return max / min >= LOG_SPAN;
    }

    static final double LOG_SPAN = 20;

    /** PNG, and SVG when {@code svg}: box plots are one per deployment, and their SVGs would double the report's time. */
    private static List<String> save(Chart<?, ?> chart, Path stem, Path base, boolean svg) throws IOException {
        Path png = stem.resolveSibling(stem.getFileName() + ".png");
        AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        if (!svg) {
            return List.of(base.relativize(png).toString());
        }
        return List.of(base.relativize(png).toString(), vector(chart, stem, base));
    }

    private static String vector(Chart<?, ?> chart, Path stem, Path base) throws IOException {
        Path svg = stem.resolveSibling(stem.getFileName() + ".svg");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, bytes, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        AtomicFiles.write(svg, bytes.toByteArray());
        return base.relativize(svg).toString();
    }
}
