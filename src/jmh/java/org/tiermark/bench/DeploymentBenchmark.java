package org.tiermark.bench;

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
import org.tiermark.Suite;
import org.tiermark.data.InputPool;
import org.tiermark.runtime.Breakdown;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LinkDelayModel;

/**
 * End-to-end latency of one request: a raw input captured on mobile, the variant's stages on the
 * deployment's tiers, the answer back on mobile. The score is the wall time of the call, link waits
 * and tier stretch included (see {@link DeploymentRunner}); the breakdown is in the secondary metrics.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// the first iterations carry JIT compilation and ONNX Runtime's arena growth: warm up for real
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
// heap for tokenizer and payload buffers; models live off-heap in ONNX Runtime
@Fork(value = 2, jvmArgsAppend = {"-Xmx2g", "-Xms2g", "-Dai.djl.offline=true"})
@State(Scope.Thread)
public class DeploymentBenchmark {
    @Param({"minilm-l6"})
    public String model;

    @Param({"identity"})
    public String operator;

    @Param({"edge"})
    public String deployment;

    @Param({"simulated"})
    public String linkDelay;

    private DeploymentRunner runner;
    private InputPool pool;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Suite suite = Suite.fromSystemProperty();
        pool = suite.pool(model, BenchmarkFiles.POOL_SIZE);
        runner = suite.runner(model, operator, deployment, LinkDelayModel.parse(linkDelay));
        runner.warmUp(pool.get(0));
        BenchmarkFiles.writeStageInfo(DeploymentBenchmark.class, model + "." + operator + "." + deployment + "." + linkDelay, runner);
    }

    @Benchmark
    public Object request(Counters counters) throws Exception {
        byte[] raw = pool.get(next);
        next = (next + 1) % pool.size();
        DeploymentRunner.Answer answer = runner.run(raw);
        counters.add(runner.lastBreakdown());
        return answer;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (runner != null) {
            runner.close();
        }
    }

    /**
     * Where the time went, summed per iteration; divide by {@code requests} for a per-request figure.
     * Nanoseconds and bytes, to keep units in the names.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Counters {
        public long requests;
        public long computeNanos;
        public long stretchNanos;
        public long transferNanos;
        public long linkBytes;

        @Setup(Level.Iteration)
        public void clean() {
            requests = computeNanos = stretchNanos = transferNanos = linkBytes = 0;
        }

        void add(Breakdown b) {
            requests++;
            computeNanos += b.computeNanos;
            stretchNanos += b.stretchNanos;
            transferNanos += b.transferNanos;
            linkBytes += b.totalBytes();
        }
    }
}
