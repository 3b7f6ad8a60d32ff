package org.tiermark.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.onnx.Sessions;
import org.tiermark.suite.LatencyModels;

/**
 * Pure model latency of one variant: a raw ONNX Runtime {@code run} at 1 intra-op thread on input
 * tensors built once in setup from direct buffers; no preprocessing, no links. This is what the
 * sptq speed targets are measured with (see {@code profiles/targets.json}). The models and input
 * tensors come from {@link LatencyModels}, resolved through the catalog: variants of its models (the
 * reference {@code resnet18-synthetic} too) and variants a descriptor lists as published
 * ({@code published-int8}: the dynamic-int8 model published beside minilm-l6 on Maven Central).
 *
 * <p>{@code sequenceLength} is the text models' token count; image models take {@code 0}. The
 * annotation defaults are minilm-l6 at 128 tokens; the image half is
 * {@code -p model=resnet18-synthetic -p sequenceLength=0}. Any other combination fails in setup with a
 * message naming the parameter.
 *
 * <p>{@link #paired} compares {@code operator} with {@code against} call by call: one run of each per
 * invocation, in alternating order, each side's time summed per iteration. Two variants measured as
 * separate benchmarks run one after the other, so a change in the shared machine's load between them
 * moves their ratio (MiniLM sptq / published-int8 at 32 tokens read 0.875 in one run and 1.204 in the
 * next); the paired ratio is what the report checks the targets on.
 */
// ONNX Runtime's arenas and the JIT settle within the first seconds: warm up for real
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 2, jvmArgsAppend = {"-Xmx3g", "-Dai.djl.offline=true"})
public class ModelLatencyBenchmark extends BenchmarkBase {
    /** Inputs the benchmark cycles through. */
    static final int INPUTS = 16;

    @Param({"identity", "sptq"})
    public String operator;

    /** Tokens for text models, 0 for image models; the default suits the inherited default model, minilm-l6. */
    @Param({"128"})
    public String sequenceLength;

    /** The variant {@link #paired} compares with ({@code identity}, {@code published-int8}); unused by {@link #infer}. */
    @Param({"identity"})
    public String against;

    private OrtSession session;
    private OrtSession againstSession;
    private List<Map<String, OnnxTensor>> inputs = List.of();
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Suite suite = Suite.fromSystemProperty();
        OrtEnvironment env = Sessions.environment();
        Sessions.Settings oneThread = Sessions.Settings.oneThread();
        session = Sessions.open(env, LatencyModels.onnx(suite, model, operator, "operator"), oneThread);
        if (!against.equals(operator)) {
            againstSession = Sessions.open(env, LatencyModels.onnx(suite, model, against, "against"), oneThread);
        }
        inputs = LatencyModels.inputs(suite, env, model, tokens(), INPUTS);
    }

    private int tokens() {
        try {
            return Integer.parseInt(sequenceLength.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("sequenceLength '" + sequenceLength + "': must be a token count, or 0 for image models");
        }
    }

    private Map<String, OnnxTensor> nextTensors() {
        Map<String, OnnxTensor> in = inputs.get(next);
        next = (next + 1) % inputs.size();
        return in;
    }

    @Benchmark
    public int infer() throws Exception {
        try (OrtSession.Result r = session.run(nextTensors())) {
            return r.size();
        }
    }

    /** One run of {@code operator} and one of {@code against} on the same input, timed separately, order alternating. */
    @Benchmark
    public void paired(VariantAndAgainstNanos pair, Blackhole bh) throws Exception {
        if (againstSession == null) {
            throw new InvalidInputException("against=" + against + ": paired needs a variant other than operator=" + operator);
        }
        Map<String, OnnxTensor> in = nextTensors();
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
    public static class VariantAndAgainstNanos {
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
        for (Map<String, OnnxTensor> m : inputs) {
            m.values().forEach(OnnxTensor::close);
        }
        for (OrtSession s : new OrtSession[] {againstSession, session}) {
            if (s != null) {
                s.close();
            }
        }
    }
}
