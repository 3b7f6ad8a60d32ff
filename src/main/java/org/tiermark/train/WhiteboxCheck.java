package org.tiermark.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.data.FashionMnist;
import org.tiermark.data.FashionMnistSets;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.InputSamples;
import org.tiermark.operator.Sptq;

/**
 * Checks white-box variants against their identity model until they join the suite's matrix: top-1 on
 * the suite's 1000 evaluation images (the {@code eval-1000} prefix of the test split) and on all 10k, and
 * model latency paired in one invocation (batch 1, one intra-op thread, all optimizations: the sptq
 * targets' setting), models run in a random order each round. {@code --sptq} also quantizes each
 * variant with sptq's defaults (the 100 calibration images) for the hybrids such as {@code distill+sptq},
 * written to {@code --out} (default {@code target/whitebox-check}).
 * <pre>
 * java -cp 'target/tiermark.jar:target/lib/*' org.tiermark.train.WhiteboxCheck --model resnet-fmnist \
 *   --identity models/trained/resnet-fmnist/model.onnx --sptq [--rounds 2000] VARIANT.onnx...
 * </pre>
 */
public final class WhiteboxCheck {
    private WhiteboxCheck() {}

    public static void main(String[] argv) throws Exception {
        String model = null;
        Path identity = null;
        boolean sptq = false;
        Path out = Path.of("target/whitebox-check");
        int rounds = 2000;
        List<Path> variants = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--model" -> model = argv[++i];
                case "--identity" -> identity = Path.of(argv[++i]);
                case "--sptq" -> sptq = true;
                case "--out" -> out = Path.of(argv[++i]);
                case "--rounds" -> rounds = Integer.parseInt(argv[++i]);
                default -> variants.add(Path.of(argv[i]));
            }
        }
        if (model == null || identity == null || variants.isEmpty() || rounds < 10) {
            throw new InvalidInputException("usage: WhiteboxCheck --model NAME --identity FILE [--sptq] [--out DIR] "
                    + "[--rounds N >= 10] VARIANT...");
        }
        Architecture a = Architecture.byName(model);
        FmnistInputs test = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TEST), a.inputSize(), Integer.MAX_VALUE);
        FmnistInputs eval = test.subset(FashionMnistSets.permutation(test.size(), FashionMnistSets.TEST_SEED), FashionMnistSets.LARGE);
        FmnistInputs train = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TRAIN), a.inputSize(), Integer.MAX_VALUE);
        InputSamples calib = Whitebox.calibration(train);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("identity", identity);
        OrtEnvironment env = Sessions.environment();
        List<Path> all = new ArrayList<>(List.of(identity));
        all.addAll(variants);
        for (int k = 0; k < all.size(); k++) {
            Path v = all.get(k);
            if (!v.equals(identity)) {
                files.put(v.toString(), v);
            }
            if (sptq) {
                // never beside the inputs: those may be committed models
                Path q = out.resolve(k + "-" + v.getParent().getFileName() + "-sptq.onnx");
                AtomicFiles.write(q, Sptq.apply(env, OnnxModels.load(v), calib, Sptq.Params.defaults())
                        .model().toByteArray());
                files.put(q.toString(), q);
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        for (Map.Entry<String, Path> f : files.entrySet()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", f.getValue().toString());
            r.put("eval1000Top1", OnnxLogits.accuracy(OnnxLogits.of(f.getValue(), eval, 500, 1), eval));
            r.put("test10kTop1", OnnxLogits.accuracy(OnnxLogits.of(f.getValue(), test, 500, 1), test));
            report.put(f.getKey(), r);
        }
        latency(env, files, eval, rounds, report);
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    }

    /** Median model latency of each file and its ratio to the first (identity), paired round by round. */
    @SuppressWarnings("unchecked")
    private static void latency(OrtEnvironment env, Map<String, Path> files, FmnistInputs images, int rounds,
                                Map<String, Object> report) throws OrtException {
        List<String> keys = new ArrayList<>(files.keySet());
        List<OrtSession> sessions = new ArrayList<>();
        List<OnnxTensor> inputs = new ArrayList<>();
        try {
            for (String k : keys) {
                sessions.add(Sessions.open(env, files.get(k), Sessions.Settings.oneThread()));
            }
            int plane = images.plane();
            for (int i = 0; i < 64; i++) {
                FloatBuffer x = ByteBuffer.allocateDirect(plane * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                x.put(images.pixels(), i * plane, plane).rewind();
                inputs.add(OnnxTensor.createTensor(env, x, new long[] {1, 1, images.side(), images.side()}));
            }
            long[][] nanos = new long[keys.size()][rounds];
            // with one intra-op thread ONNX Runtime computes on the calling thread: its CPU time is the
            // model's work without the waits for a core that wall time also counts on a shared machine
            long[][] cpuNanos = new long[keys.size()][rounds];
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            SplittableRandom order = new SplittableRandom(1);
            int warmup = rounds / 10;
            for (int r = -warmup; r < rounds; r++) {
                int[] perm = FashionMnistSets.permutation(keys.size(), order);
                OnnxTensor in = inputs.get(Math.floorMod(r, inputs.size()));
                for (int m : perm) {
                    long c0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    try (OrtSession.Result out = sessions.get(m).run(Map.of(FmnistInputs.TENSOR, in))) {
                        long t1 = System.nanoTime();
                        if (r >= 0) {
                            nanos[m][r] = t1 - t0;
                            cpuNanos[m][r] = threads.getCurrentThreadCpuTime() - c0;
                        }
                    }
                }
            }
            for (int m = 0; m < keys.size(); m++) {
                Map<String, Object> entry = (Map<String, Object>) report.get(keys.get(m));
                entry.put("wall", summary(nanos[m], nanos[0]));
                entry.put("threadCpu", summary(cpuNanos[m], cpuNanos[0]));
            }
            report.put("latencySetting", rounds + " paired rounds after " + warmup + " warm-up rounds, batch 1, "
                    + "1 intra-op thread, ALL_OPT, random model order per round");
        } finally {
            for (OnnxTensor t : inputs) {
                t.close();
            }
            for (OrtSession s : sessions) {
                s.close();
            }
        }
    }

    /** Median milliseconds, ratio of medians to the identity's, and median of the per-round ratios. */
    private static Map<String, Double> summary(long[] v, long[] identity) {
        double[] ratios = new double[v.length];
        for (int r = 0; r < v.length; r++) {
            ratios[r] = v[r] / (double) identity[r];
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("medianMs", median(v) / 1e6);
        out.put("ratioOfMedians", median(v) / median(identity));
        out.put("medianPairedRatio", median(ratios));
        return out;
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
