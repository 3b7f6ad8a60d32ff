package org.tiermark.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.tiermark.runtime.Breakdown;
import org.tiermark.runtime.DeploymentRunner;

/**
 * End-to-end latency of one request: a raw input captured on mobile, the variant's stages on the
 * deployment's tiers, the answer back on mobile. The score is the wall time of the call, link waits
 * and tier stretch included (see {@link DeploymentRunner}); the breakdown is in the secondary metrics.
 * With {@code linkDelay=emulated} each trial builds the deployment's tiers as network namespaces with
 * shaped links and tier agents (set-up and teardown outside the measurement); with {@code remote} the stages
 * off the origin are served at the tier profiles' endpoints.
 */
public class DeploymentBenchmark extends DeployedBase {
    private DeploymentRunner runner;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loadInputs();
        runner = openRunnerOnTiers();
        runner.warmUp(firstInput());
        BenchmarkFiles.writeStageInfo(DeploymentBenchmark.class, model + "." + operator + "." + deployment + "." + linkDelay, runner);
    }

    @Benchmark
    public Object request(Counters counters) throws Exception {
        DeploymentRunner.Answer answer = runner.run(nextInput());
        counters.add(runner.lastBreakdown());
        return answer;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (runner != null) {
                runner.close();
            }
        } finally {
            closeTiers();
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
        /** Calls to stages on real tiers (emulated or remote links): links and the tier's compute together. */
        public long remoteNanos;

        @Setup(Level.Iteration)
        public void clean() {
            requests = computeNanos = stretchNanos = transferNanos = linkBytes = remoteNanos = 0;
        }

        void add(Breakdown b) {
            requests++;
            computeNanos += b.computeNanos;
            stretchNanos += b.stretchNanos;
            transferNanos += b.transferNanos;
            linkBytes += b.totalBytes();
            remoteNanos += b.remoteNanos;
        }
    }
}
