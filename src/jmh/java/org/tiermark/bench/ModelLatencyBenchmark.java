package org.tiermark.bench;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.data.InputPool;
import org.tiermark.data.Preprocessor;
import org.tiermark.Preprocessors;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.SyntheticModels;
import org.tiermark.operator.Operator;
import org.tiermark.operator.Samples;
import org.tiermark.operator.Variant;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.onnx.Sessions;

/**
 * Pure model latency of one variant: a raw ONNX Runtime {@code run} at 1 intra-op thread on input
 * tensors built once in setup from direct buffers; no preprocessing, no links. This is what the
 * sptq speed targets are measured with: sptq/identity per model, and for minilm-l6 sptq/published-int8
 * (the dynamic-int8 model published beside it on Maven Central, unpacked to models/base/...-q/).
 *
 * <p>{@code sequenceLength} is the text models' token count; image models take {@code 0}. The
 * annotation defaults are the image half of the matrix; the text half is
 * {@code -p model=minilm-l6 -p variant=identity,sptq,published-int8 -p sequenceLength=32,128}. Any
 * other combination (an image model with tokens, published-int8 where nothing is published) fails
 * in setup with a message naming the parameter.
 *
 * <p>{@link #paired} compares {@code variant} with {@code against} call by call: one run of each per
 * invocation, in alternating order, each side's time summed per iteration. Two variants measured as
 * separate benchmarks run one after the other, so a change in the shared machine's load between them
 * moves their ratio (MiniLM sptq / published-int8 at 32 tokens read 0.875 in one run and 1.204 in the
 * next); the paired ratio is what the report checks the targets on.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// ONNX Runtime's arenas and the JIT settle within the first seconds: warm up for real
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 2, jvmArgsAppend = {"-Xmx3g", "-Dai.djl.offline=true"})
@State(Scope.Thread)
public class ModelLatencyBenchmark {
    /** The synthetic ResNet-18 (random weights, 224x224): built into target/ at setup, not in the catalog. */
    public static final String RESNET18_SYNTHETIC = "resnet18-synthetic";
    /** Inputs the benchmark cycles through. */
    static final int INPUTS = 16;

    @Param({RESNET18_SYNTHETIC})
    public String model;

    @Param({"identity", "sptq"})
    public String variant;

    @Param({"0"})
    public String sequenceLength;

    /** The variant {@link #paired} compares with ({@code identity}, {@code published-int8}); unused by {@link #infer}. */
    @Param({"identity"})
    public String against;

    private OrtSession session;
    private OrtSession againstSession;
    private final List<Map<String, OnnxTensor>> inputs = new ArrayList<>();
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Suite suite = Suite.fromSystemProperty();
        OrtEnvironment env = Sessions.environment();
        int tokens = parseLength();
        Sessions.Settings oneThread = Sessions.Settings.oneThread();
        session = Sessions.open(env, modelFile(suite, env, "variant", variant), oneThread);
        if (!against.equals(variant)) {
            againstSession = Sessions.open(env, modelFile(suite, env, "against", against), oneThread);
        }
        if (model.equals(RESNET18_SYNTHETIC)) {
            Samples s = Samples.randomImages(SyntheticModels.INPUT, 224, INPUTS, 4242);
            for (int i = 0; i < INPUTS; i++) {
                inputs.add(s.get(env, i));
            }
            return;
        }
        Catalog.Model m = suite.catalog().model(model);
        InputPool pool = Preprocessors.pool(m, INPUTS);
        try (Preprocessor pre = tokens > 0 ? new TextPreprocessor(env, m.tokenizer(), tokens) : Preprocessors.create(m, env)) {
            for (int i = 0; i < INPUTS; i++) {
                Map<String, OnnxTensor> prepared = pre.prepare(pool.get(i % pool.size()));
                try {
                    inputs.add(own(env, prepared));
                } finally {
                    prepared.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    private int parseLength() {
        int n;
        try {
            n = Integer.parseInt(sequenceLength.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("sequenceLength '" + sequenceLength + "': must be a token count, or 0 for image models");
        }
        boolean text = !model.equals(RESNET18_SYNTHETIC)
                && "text".equals(Suite.fromSystemProperty().catalog().model(model).descriptor().input().kind());
        if (text && n < 1) {
            throw new InvalidInputException("sequenceLength " + n + ": text model '" + model + "' needs a token count (e.g. 32, 128)");
        }
        if (!text && n != 0) {
            throw new InvalidInputException("sequenceLength " + n + ": image model '" + model + "' takes sequenceLength=0");
        }
        return n;
    }

    /** The ONNX file of {@code variant}, the value of the benchmark parameter {@code param} (named in errors). */
    private Path modelFile(Suite suite, OrtEnvironment env, String param, String variant) throws Exception {
        if (model.equals(RESNET18_SYNTHETIC)) {
            Path dir = suite.home().resolve("target").resolve("tiermark-synthetic");
            Path onnx = dir.resolve(RESNET18_SYNTHETIC + ".onnx");
            if (!Files.isRegularFile(onnx)) {
                OnnxModels.save(SyntheticModels.resnet18(1), onnx);
            }
            if (variant.equals("published-int8")) {
                throw new InvalidInputException(param + "=published-int8: nothing is published for " + model
                        + "; valid: identity, sptq");
            }
            VariantBuilder.Source src = new VariantBuilder.Source(model, onnx,
                    Samples.randomImages(SyntheticModels.INPUT, 224, 100, 7),
                    Samples.randomImages(SyntheticModels.INPUT, 224, 16, 100_000), Map.of());
            Variant v = VariantBuilder.ensure(env, src, Operator.parse(variant), Map.of(),
                    dir.resolve("variants").resolve(model).resolve(variant), false);
            return single(v, param, variant);
        }
        if (variant.equals("published-int8")) {
            Path p = publishedInt8(suite.catalog().model(model).onnx());
            if (!Files.isRegularFile(p)) {
                throw new InvalidInputException(param + "=published-int8: no published int8 model for " + model + " (looked for " + p
                        + "); valid: identity, sptq");
            }
            return p;
        }
        return single(suite.variants().ensure(model, variant), param, variant);
    }

    /** Where the build unpacks the int8 model published beside a base model: folder and file name with {@code -q}. */
    public static Path publishedInt8(Path onnx) {
        String folder = onnx.getParent().getFileName().toString();
        String file = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
        return onnx.getParent().resolveSibling(folder + "-q").resolve(file + "-q.onnx");
    }

    private static Path single(Variant v, String param, String variant) {
        if (v.stageCount() != 1) {
            throw new InvalidInputException(param + "=" + variant + " has " + v.stageCount()
                    + " stages: model latency measures one-stage variants (identity, sptq, early-exit, ...)");
        }
        return v.stages().get(0);
    }

    /** Copies prepared tensors into direct buffers this benchmark owns (preprocessors reuse theirs). */
    private static Map<String, OnnxTensor> own(OrtEnvironment env, Map<String, OnnxTensor> prepared) throws Exception {
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxTensor> e : prepared.entrySet()) {
            OnnxTensor t = e.getValue();
            long[] shape = t.getInfo().getShape();
            ByteBuffer src = t.getByteBuffer().order(ByteOrder.nativeOrder());
            ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
            copy.put(src).flip();
            OnnxJavaType type = t.getInfo().type;
            out.put(e.getKey(), switch (type) {
                case FLOAT -> OnnxTensor.createTensor(env, copy.asFloatBuffer(), shape);
                case INT64 -> OnnxTensor.createTensor(env, copy.asLongBuffer(), shape);
                case INT32 -> OnnxTensor.createTensor(env, copy.asIntBuffer(), shape);
                default -> throw new IllegalStateException("input '" + e.getKey() + "' of type " + type + " not supported");
            });
        }
        return out;
    }

    @Benchmark
    public int infer() throws Exception {
        Map<String, OnnxTensor> in = inputs.get(next);
        next = (next + 1) % inputs.size();
        try (OrtSession.Result r = session.run(in)) {
            return r.size();
        }
    }

    /** One run of {@code variant} and one of {@code against} on the same input, timed separately, order alternating. */
    @Benchmark
    public void paired(Pair pair, Blackhole bh) throws Exception {
        if (againstSession == null) {
            throw new InvalidInputException("against=" + against + ": paired needs a variant other than variant=" + variant);
        }
        Map<String, OnnxTensor> in = inputs.get(next);
        next = (next + 1) % inputs.size();
        boolean variantFirst = (pair.calls++ & 1) == 0;
        for (int k = 0; k < 2; k++) {
            boolean mine = (k == 0) == variantFirst;
            long start = System.nanoTime();
            try (OrtSession.Result r = (mine ? session : againstSession).run(in)) {
                bh.consume(r.size());
            }
            long nanos = System.nanoTime() - start;
            if (mine) {
                pair.variantNanos += nanos;
            } else {
                pair.againstNanos += nanos;
            }
        }
    }

    /** Summed per iteration: the report's paired ratio is {@code variantNanos / againstNanos}. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Pair {
        public long variantNanos;
        public long againstNanos;
        long calls;

        @Setup(Level.Iteration)
        public void clean() {
            variantNanos = againstNanos = 0;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (againstSession != null) {
            againstSession.close();
        }
        for (Map<String, OnnxTensor> m : inputs) {
            m.values().forEach(OnnxTensor::close);
        }
        inputs.clear();
        if (session != null) {
            session.close();
        }
    }
}
