package org.tiermark.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.tiermark.data.Preprocessor;
import org.tiermark.Benchmarks;
import org.tiermark.Preprocessors;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.Sessions;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LinkDelayModel;

/**
 * What the harness itself costs: the {@code edge} deployment with links that cost nothing and the
 * tier at machine speed ({@code linkDelay=off}), against a raw ONNX Runtime loop over the same model
 * and the same inputs, in the same run. Both paths tokenize the same raw text per call, so the
 * difference is the runner: serializing the input and the answer, bookkeeping and tensor handling.
 * The report prints the ratio of medians {@code deployment / rawOrt}, and, from {@link #paired}, the
 * ratio measured call by call: the two separate benchmarks run one after the other, so a change in the
 * shared machine's load between them moves their ratio (seen: 0.82 to 1.08 in one run); {@code paired}
 * runs one harness call and one raw call per invocation, in alternating order, and sums each side's
 * time, so both sides see the same moments of load. The target is checked on the paired ratio.
 */
public class HarnessOverheadBenchmark extends BenchmarkBase {
    private DeploymentRunner runner;
    private OrtSession session;
    private Preprocessor preprocessor;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loadInputs();
        Catalog.Model m = suite.catalog().model(model);
        // the deployment is declared in benchmarks.json, so the preflight checks the one opened here
        String deployment = Benchmarks.load(suite.home()).ownDeployment(HarnessOverheadBenchmark.class.getSimpleName(),
                suite.home().resolve(Benchmarks.FILE));
        runner = suite.runner(model, "identity", deployment, LinkDelayModel.OFF);
        runner.warmUp(firstInput());
        OrtEnvironment env = Sessions.environment();
        // the same thread settings as the deployment's tier, so only the harness differs
        String tier = suite.profiles().deployment(deployment).stages().get(0);
        session = Sessions.open(env, m.onnx(), suite.profiles().tier(tier).sessionSettings());
        preprocessor = Preprocessors.create(m, env);
    }

    @Benchmark
    public Object deployment() throws Exception {
        return runner.run(nextInput());
    }

    @Benchmark
    public Object rawOrt() throws Exception {
        return rawCall(nextInput());
    }

    private Object rawCall(byte[] raw) throws Exception {
        Map<String, OnnxTensor> inputs = preprocessor.prepare(raw);
        try (OrtSession.Result result = session.run(inputs)) {
            return ((OnnxTensor) result.get(0)).getInfo();
        } finally {
            List<OnnxTensor> all = new ArrayList<>(inputs.values());
            all.forEach(OnnxTensor::close);
        }
    }

    /** One harness call and one raw call, timed separately; the order alternates to cancel cache effects. */
    @Benchmark
    public void paired(HarnessAndRawNanos pair, Blackhole bh) throws Exception {
        boolean harnessFirst = (pair.calls++ & 1) == 0;
        byte[] raw = nextInput();
        for (int k = 0; k < 2; k++) {
            long start = System.nanoTime();
            if ((k == 0) == harnessFirst) {
                bh.consume(runner.run(raw));
                pair.harnessNanos += System.nanoTime() - start;
            } else {
                bh.consume(rawCall(raw));
                pair.rawNanos += System.nanoTime() - start;
            }
        }
    }

    /** Summed per iteration: the report's paired ratio is {@code harnessNanos / rawNanos}. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class HarnessAndRawNanos {
        public long harnessNanos;
        public long rawNanos;
        long calls;

        @Setup(Level.Iteration)
        public void clean() {
            harnessNanos = rawNanos = 0;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (runner != null) {
            runner.close();
        }
        if (session != null) {
            session.close();
        }
        if (preprocessor != null) {
            preprocessor.close();
        }
    }
}
