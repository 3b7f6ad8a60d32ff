package org.tiermark.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.tiermark.Json;

/**
 * A synthetic JMH JSON as large as a full run of the matrix (3 models x 8 operators x 6
 * deployments of DeploymentBenchmark, 2 forks x 3 iterations of sample-mode histograms, plus the
 * other benchmarks), for measuring the report's speed. Log-normal latencies, seeded.
 * Run {@code main(out.json)} to write one.
 */
final class SyntheticRun {
    static final List<String> MODELS = List.of("minilm-l6", "resnet18-synthetic", "ocr-det");
    static final List<String> OPERATORS = List.of("identity", "sptq", "partition", "early-exit", "qat", "prune", "distill", "distill+sptq");
    static final List<String> DEPLOYMENTS = List.of("mobile", "edge", "cloud", "mobile-edge", "edge-cloud", "mobile-cloud");

    private SyntheticRun() {}

    static void write(Path file, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        ArrayNode all = Json.MAPPER.createArrayNode();
        for (String m : MODELS) {
            for (String o : OPERATORS) {
                for (int d = 0; d < DEPLOYMENTS.size(); d++) {
                    double median = 20 * (1 + MODELS.indexOf(m)) * (1 - 0.08 * OPERATORS.indexOf(o)) * (1 + 0.3 * d);
                    ObjectNode b = result(all, "org.tiermark.bench.DeploymentBenchmark.request", "ms/op", median, 0.15, 2000, r);
                    ObjectNode p = b.putObject("params");
                    p.put("model", m).put("operator", o).put("deployment", DEPLOYMENTS.get(d)).put("linkDelay", "simulated");
                    ObjectNode sec = b.putObject("secondaryMetrics");
                    for (String c : List.of("requests", "computeNanos", "stretchNanos", "transferNanos", "linkBytes")) {
                        ArrayNode raw = sec.putObject(c).put("scoreUnit", "#").putArray("rawData");
                        for (int f = 0; f < 2; f++) {
                            ArrayNode fork = raw.addArray();
                            for (int i = 0; i < 3; i++) {
                                fork.add(c.equals("requests") ? 2000 : 2000 * median * 1e6 * 0.3 * (1 + r.nextDouble()));
                            }
                        }
                    }
                }
            }
            for (String v : List.of("identity", "sptq", "published-int8")) {
                for (String seq : List.of("32", "128")) {
                    ObjectNode b = result(all, "org.tiermark.bench.ModelLatencyBenchmark.infer", "ms/op",
                            v.equals("identity") ? 10 : 4, 0.05, 3000, r);
                    b.putObject("params").put("model", m).put("variant", v).put("sequenceLength", seq);
                }
            }
            result(all, "org.tiermark.bench.HarnessOverheadBenchmark.deployment", "ms/op", 10.2, 0.05, 3000, r).putObject("params").put("model", m);
            result(all, "org.tiermark.bench.HarnessOverheadBenchmark.rawOrt", "ms/op", 10, 0.05, 3000, r).putObject("params").put("model", m);
        }
        for (String w : List.of("1000", "5000", "20000")) {
            result(all, "org.tiermark.bench.LinkWaitBenchmark.linkWait", "us/op", Double.parseDouble(w), 0.01, 5000, r)
                    .putObject("params").put("waitMicros", w);
        }
        Files.write(file, Json.MAPPER.writeValueAsBytes(all));
    }

    private static ObjectNode result(ArrayNode all, String name, String unit, double median, double sigma, int perIteration,
                                     SplittableRandom r) {
        ObjectNode b = all.addObject();
        b.put("jmhVersion", "1.37").put("benchmark", name).put("mode", "sample").put("threads", 1).put("forks", 2);
        ObjectNode pm = b.putObject("primaryMetric");
        pm.put("score", median).put("scoreUnit", unit);
        ArrayNode hist = pm.putArray("rawDataHistogram");
        for (int f = 0; f < 2; f++) {
            ArrayNode fork = hist.addArray();
            for (int i = 0; i < 3; i++) {
                TreeMap<Double, Integer> h = new TreeMap<>();
                for (int k = 0; k < perIteration; k++) {
                    // JMH's sample histograms hold values at microsecond-ish resolution: round like it
                    double v = median * Math.exp(sigma * gaussian(r));
                    h.merge(Math.round(v * 1000) / 1000.0, 1, Integer::sum);
                }
                ArrayNode it = fork.addArray();
                h.forEach((v, c) -> it.addArray().add(v).add(c));
            }
        }
        return b;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), 11);
    }
}
