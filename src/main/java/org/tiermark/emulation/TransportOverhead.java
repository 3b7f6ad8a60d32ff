package org.tiermark.emulation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.onnx.SyntheticModels;

/**
 * What each transport of the tier agent adds per request on loopback, unshaped: the same small model
 * ({@code cnn80} of {@code AgentOverheadBenchmark}, a ResNet-style CNN on a 75 KB image) in process, over
 * REST with binary tensors and over gRPC with raw contents, agent and clients in this JVM. The three are
 * called in turn in every round (the order rotating), so that all see the same moments of load on a
 * shared machine; the added time of a transport is the per-round difference to the in-process call.
 * Medians come with a distribution-free 95% interval (order statistics of the binomial).
 *
 * <pre>java -cp target/tiermark.jar org.tiermark.emulation.TransportOverhead [--rounds N] [--warmup N]</pre>
 */
public final class TransportOverhead {
    private TransportOverhead() {}

    public static void main(String[] args) throws Exception {
        int rounds = 2000;
        int warmup = 500;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new InvalidInputException("unknown option '" + args[i] + "'; valid: --rounds N, --warmup N");
            }
        }
        if (rounds < 20 || warmup < 0) {
            throw new InvalidInputException("--rounds must be >= 20 and --warmup >= 0 (got " + rounds + ", " + warmup + ")");
        }
        Path dir = Files.createTempDirectory("transport-overhead");
        Path file = dir.resolve("cnn80.onnx");
        int size = 80;
        OnnxModels.save(SyntheticModels.resnet("cnn80", new int[] {16, 32, 64, 128}, new int[] {1, 1, 1, 2}, size, 10, 1), file);
        NamedTensor input = NamedTensor.floats(SyntheticModels.INPUT, SyntheticModels.randomImage(2, size), 1, 3, size, size);
        OrtEnvironment env = Sessions.environment();
        Duration timeout = Duration.ofSeconds(10);
        try (OrtSession session = Sessions.open(env, file, Sessions.Settings.oneThread());
             TierAgent agent = TierAgent.start(TierAgent.Config.loopback("edge", Map.of("cnn80", file), Sessions.Settings.oneThread()));
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0));
             ModelClient rest = ModelClient.connect(agent.endpoint(), "cnn80", timeout);
             ModelClient grpcClient = ModelClient.connect(grpc.endpoint(), "cnn80", timeout)) {
            List<Call> calls = List.of(
                    () -> {
                        try (OnnxTensor x = input.toOnnx(env); OrtSession.Result r = session.run(Map.of(input.name(), x))) {
                            NamedTensor.of(SyntheticModels.OUTPUT, (OnnxTensor) r.get(0));
                        }
                    },
                    () -> rest.infer(List.of(input)),
                    () -> grpcClient.infer(List.of(input)));
            long[][] nanos = new long[calls.size()][rounds];
            for (int round = -warmup; round < rounds; round++) {
                for (int k = 0; k < calls.size(); k++) {
                    int which = Math.floorMod(round + k, calls.size());
                    long t = System.nanoTime();
                    calls.get(which).run();
                    long spent = System.nanoTime() - t;
                    if (round >= 0) {
                        nanos[which][round] = spent;
                    }
                }
            }
            System.out.printf("cnn80 (75 KB in), %d rounds after %d warm-up rounds; microseconds, median [95%% interval] and p90%n",
                    rounds, warmup);
            String[] names = {"in process", "REST (binary)", "gRPC (raw)"};
            for (int k = 0; k < calls.size(); k++) {
                System.out.printf("  %-14s %s%n", names[k], summary(nanos[k]));
            }
            for (int k = 1; k < calls.size(); k++) {
                long[] added = new long[rounds];
                for (int i = 0; i < rounds; i++) {
                    added[i] = nanos[k][i] - nanos[0][i];
                }
                System.out.printf("  added %-8s %s%n", names[k].split(" ")[0], summary(added));
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    /** Median with the ranks n/2 -+ 1.96 sqrt(n)/2 as its 95% interval, and the 90th percentile, in microseconds. */
    static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int n = s.length;
        int half = (int) Math.ceil(1.96 * Math.sqrt(n) / 2);
        int lo = Math.max(0, n / 2 - half);
        int hi = Math.min(n - 1, n / 2 + half);
        return String.format("%8.1f [%8.1f, %8.1f]  p90 %8.1f", s[n / 2] / 1e3, s[lo] / 1e3, s[hi] / 1e3, s[(int) (0.9 * (n - 1))] / 1e3);
    }
}
