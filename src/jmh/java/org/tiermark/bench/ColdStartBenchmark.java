package org.tiermark.bench;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.tiermark.Suite;
import org.tiermark.data.InputPool;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LinkDelayModel;

/**
 * Cold start: creating the deployment's sessions (and tokenizer) plus the first request, what the
 * studies' figures contained because they made a new session per request. One shot per
 * iteration; many iterations and forks give the distribution.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// the first shots of a fresh JVM also load native libraries: keep them out of the figures
@Warmup(iterations = 2)
@Measurement(iterations = 8)
@Fork(value = 2, jvmArgsAppend = {"-Xmx2g", "-Xms2g", "-Dai.djl.offline=true"})
@State(Scope.Thread)
public class ColdStartBenchmark {
    @Param({"minilm-l6"})
    public String model;

    @Param({"identity"})
    public String operator;

    @Param({"edge"})
    public String deployment;

    @Param({"simulated"})
    public String linkDelay;

    private Suite suite;
    private InputPool pool;
    private LinkDelayModel delay;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        suite = Suite.fromSystemProperty();
        pool = suite.pool(model, BenchmarkFiles.POOL_SIZE);
        delay = LinkDelayModel.parse(linkDelay);
    }

    @Benchmark
    public Object sessionAndFirstRequest() throws Exception {
        byte[] raw = pool.get(next);
        next = (next + 1) % pool.size();
        try (DeploymentRunner runner = suite.runner(model, operator, deployment, delay)) {
            return runner.run(raw).tensors().size();
        }
    }
}
