package org.tiermark.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;
import org.tiermark.runtime.DeploymentRunner;

/**
 * Cold start: creating the deployment's sessions (and tokenizer) plus the first request, what the
 * studies' figures contained because they made a new session per request. One shot per
 * iteration; many iterations and forks give the distribution.
 */
@BenchmarkMode(Mode.SingleShotTime)
// the first shots of a fresh JVM also load native libraries: keep them out of the figures
@Warmup(iterations = 2)
@Measurement(iterations = 8)
public class ColdStartBenchmark extends DeployedBase {
    @Setup(Level.Trial)
    public void setUp() {
        loadInputs();
    }

    @Benchmark
    public Object sessionAndFirstRequest() throws Exception {
        try (DeploymentRunner runner = openRunner()) {
            return runner.run(nextInput()).tensors().size();
        }
    }
}
