package org.tiermark.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
import org.tiermark.emulation.InferenceClient;
import org.tiermark.emulation.NamedTensor;
import org.tiermark.emulation.TierAgent;
import org.tiermark.onnx.GraphBuilder;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.onnx.SyntheticModels;

/**
 * What the tier agent adds per request: the same model and input run in-process ({@link #inProcess})
 * and through a {@link TierAgent} on loopback with binary tensors ({@link #agent}), unshaped (agent and
 * client in this JVM, on their own threads). Target: less than 0.3 ms added per request for a model of about 1 ms. As in {@link HarnessOverheadBenchmark}, {@link #paired}
 * times one call of each per invocation, alternating the order, so both sides see the same moments of load
 * on a shared machine; the added time is {@code (agentNanos - inProcessNanos) / calls}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
// the agent sets sun.net.httpserver.nodelay itself; passing it here keeps it on even if another class loads the JDK server first
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Xms1g", "-Dsun.net.httpserver.nodelay=true"})
@State(Scope.Thread)
public class AgentOverheadBenchmark {
    /**
     * Two small models (0.1 to 0.6 ms here with one thread, depending on the machine's load), so that the
     * fixed cost per request and the cost per byte show apart: {@code cnn80}, a ResNet-style CNN (16..128
     * channels) on a [1, 3, 80, 80] image (75 KB in), and {@code mlp256}, two 256x4096 float layers on a
     * [1, 256] vector (1 KB in).
     */
    @Param({"cnn80", "mlp256"})
    public String model;

    private static final int SIZE = 80;
    private static final int WIDTH = 256;

    private Path dir;
    private OrtEnvironment env;
    private OrtSession session;
    private TierAgent agent;
    private InferenceClient client;
    private NamedTensor input;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("agent-overhead");
        Path file = dir.resolve(model + ".onnx");
        switch (model) {
            case "cnn80" -> {
                OnnxModels.save(SyntheticModels.resnet(model, new int[] {16, 32, 64, 128}, new int[] {1, 1, 1, 2}, SIZE, 10, 1), file);
                input = NamedTensor.floats(SyntheticModels.INPUT, SyntheticModels.randomImage(2, SIZE), 1, 3, SIZE, SIZE);
            }
            case "mlp256" -> {
                OnnxModels.save(mlp(), file);
                input = NamedTensor.floats(SyntheticModels.INPUT, Arrays.copyOf(SyntheticModels.randomImage(2, 16), WIDTH), 1, WIDTH);
            }
            default -> throw new IllegalArgumentException("model: 'cnn80' or 'mlp256' (got '" + model + "')");
        }
        env = Sessions.environment();
        // both sides: one intra-op thread, so the agent's worker and the in-process call do the same work
        session = Sessions.open(env, file, Sessions.Settings.oneThread());
        agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of(model, file), Sessions.Settings.oneThread()));
        client = InferenceClient.connect(agent.endpoint(), model, Duration.ofSeconds(10));
    }

    /** input [1, 256] -> 4096 (Relu) -> 256 -> logits: 8 MB of weights read per call. */
    private static OnnxMl.ModelProto mlp() {
        GraphBuilder g = new GraphBuilder("mlp256");
        g.inputFloat(SyntheticModels.INPUT, 1, WIDTH);
        SplittableRandom r = new SplittableRandom(3);
        String w1 = g.initializer("w1", weights(r, WIDTH * 4096), WIDTH, 4096);
        String w2 = g.initializer("w2", weights(r, 4096 * WIDTH), 4096, WIDTH);
        String h = g.relu(g.matMul(SyntheticModels.INPUT, w1, "h"), "h/relu");
        g.matMul(h, w2, SyntheticModels.OUTPUT);
        g.outputFloat(SyntheticModels.OUTPUT, 1, WIDTH);
        return g.build();
    }

    private static float[] weights(SplittableRandom r, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextDouble() - 0.5) / 64;
        }
        return w;
    }

    /** Input tensor built, model run, output copied out: the work the agent does per request, without the network. */
    @Benchmark
    public Object inProcess() throws Exception {
        try (OnnxTensor x = input.toOnnx(env); OrtSession.Result r = session.run(Map.of(input.name(), x))) {
            return NamedTensor.of(SyntheticModels.OUTPUT, (OnnxTensor) r.get(0));
        }
    }

    @Benchmark
    public Object agent() {
        return client.infer(List.of(input));
    }

    /** One call of each, timed separately; the order alternates. */
    @Benchmark
    public void paired(AgentAndInProcessNanos pair, Blackhole bh) throws Exception {
        boolean agentFirst = (pair.pairs++ & 1) == 0;
        for (int k = 0; k < 2; k++) {
            long start = System.nanoTime();
            if ((k == 0) == agentFirst) {
                bh.consume(agent());
                pair.agentNanos += System.nanoTime() - start;
            } else {
                bh.consume(inProcess());
                pair.inProcessNanos += System.nanoTime() - start;
            }
        }
    }

    /** Summed per iteration: added time per request = {@code (agentNanos - inProcessNanos) / pairs}. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class AgentAndInProcessNanos {
        public long agentNanos;
        public long inProcessNanos;
        public long pairs;

        @Setup(Level.Iteration)
        public void clean() {
            agentNanos = inProcessNanos = pairs = 0;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (session != null) {
            session.close();
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
