package org.tiermark.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
                            mine.addAll(save(scatter, dir.resolve("tradeoff-" + g.id()), base));
                        }
                        mine.addAll(save(box(g), dir.resolve("latency-" + g.id()), base));
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
        List<Integer> front = Recommendations.paretoIndices(lx, ly);
        XYSeries f = c.addSeries("Pareto front", front.stream().map(i -> lx[i]).toList(), front.stream().map(i -> ly[i]).toList());
        f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        f.setMarker(SeriesMarkers.DIAMOND);
        return c;
    }

    static BoxChart box(TradeOffGroup g) {
        String unit = g.unit().replace("/op", "");
        List<Double> medians = new ArrayList<>();
        for (String op : g.operators()) {
            for (String d : g.deployments()) {
                Measurement m = g.cell(op, d);
                if (m != null) {
                    medians.add(m.samples().median());
                }
            }
        }
        boolean log = logScale(medians);
        BoxChart c = new BoxChartBuilder().width(Math.max(800, 70 * medians.size())).height(600)
                .title("Latency distributions: " + g.title() + (log ? ", log scale" : "")).xAxisTitle("operator @ deployment")
                .yAxisTitle("latency (" + unit + ")").build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setYAxisLogarithmic(log);
        c.getStyler().setXAxisLabelRotation(45);
        for (String d : g.deployments()) {
            for (String op : g.operators()) {
                Measurement m = g.cell(op, d);
                if (m != null) {
                    c.addSeries(op + " @ " + d, m.samples().expanded(BOX_SAMPLES));
                }
            }
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

    private static List<String> save(Chart<?, ?> chart, Path stem, Path base) throws IOException {
        Path png = stem.resolveSibling(stem.getFileName() + ".png");
        Path svg = stem.resolveSibling(stem.getFileName() + ".svg");
        AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, bytes, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        AtomicFiles.write(svg, bytes.toByteArray());
        return List.of(base.relativize(png).toString(), base.relativize(svg).toString());
    }
}
