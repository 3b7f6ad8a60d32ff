package org.tiermark.emulation;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tiermark.Json;

/**
 * A link's throughput measured through an Open Inference Protocol server that serves {@link ProbeModel}: payloads of
 * two sizes (1 MB and 4 MB, or smaller on a slow link so that the larger takes about {@value #LARGE_TARGET_SECONDS}
 * s) sent {@value #REPEATS} times each, in turn, after two of the smaller and one of the larger that are dropped; the throughput is the difference
 * in size over the difference in median time, so the round trip, the protocol's fixed costs and the server's per
 * request work cancel. It is the payload's rate (goodput): a tbf-shaped link of B Mbit/s carries about 0.955 B of
 * payload, the rest being Ethernet/IP/TCP headers. A server without the probe is reported as not measured, never
 * left out.
 */
public final class LinkThroughput {
    static final long SMALL_BYTES = 1_000_000;
    static final long MIN_SMALL_BYTES = 16_384;
    static final int REPEATS = 5;
    static final double LARGE_TARGET_SECONDS = 4.0;
    /** The probe's requests get at least this long: 1 MB over a 1 Mbit/s link takes 8.4 s. */
    private static final Duration LEAST_TIMEOUT = Duration.ofSeconds(60);
    private static final long SEED = 13;

    private LinkThroughput() {}

    /** {@code LinkThroughput URL}: measures the throughput to the server at URL and prints what run.json would record, as JSON. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: LinkThroughput http://host:port | grpc://host:port");
            System.exit(2);
        }
        System.out.println(Json.MAPPER.writeValueAsString(measure(URI.create(args[0]), Duration.ofSeconds(60))));
    }

    /**
     * What run.json records of the throughput to {@code endpoint}: {@code throughputMbps} with the payload sizes and
     * their median times, or {@code throughput: "not measured (...)"} saying why (no probe model at that server, the
     * larger payload not slower, a failure).
     */
    public static Map<String, Object> measure(URI endpoint, Duration timeout) {
        Map<String, Object> out = new LinkedHashMap<>();
        ModelClient client;
        try {
            client = ModelClient.connect(endpoint, ProbeModel.NAME, timeout.compareTo(LEAST_TIMEOUT) > 0 ? timeout : LEAST_TIMEOUT);
        } catch (InferenceException e) {
            String m = e.getMessage();
            boolean absent = m.contains(" 404") || m.contains("NOT_FOUND") || m.contains("not served");
            out.put("throughput", absent ? "not measured (endpoint serves no " + ProbeModel.NAME + " model)"
                    : "not measured (" + m + ")");
            return out;
        }
        try (client) {
            long small = SMALL_BYTES;
            NamedTensor first = payload(small);
            send(client, first);
            // the first request also pays the connection's start (JIT, slow start): the second estimates the link
            double largeSeconds = 4 * send(client, first) / 1e9;
            if (largeSeconds > LARGE_TARGET_SECONDS) {
                small = Math.max(MIN_SMALL_BYTES, (long) (small * LARGE_TARGET_SECONDS / largeSeconds));
            }
            long large = 4 * small;
            NamedTensor smallPayload = payload(small);
            NamedTensor largePayload = payload(large);
            send(client, largePayload);
            long[] smallNanos = new long[REPEATS];
            long[] largeNanos = new long[REPEATS];
            for (int i = 0; i < REPEATS; i++) {
                smallNanos[i] = send(client, smallPayload);
                largeNanos[i] = send(client, largePayload);
            }
            double smallMs = median(smallNanos) / 1e6;
            double largeMs = median(largeNanos) / 1e6;
            out.put("throughputPayloadBytes", List.of(small, large));
            out.put("throughputMedianMs", List.of(smallMs, largeMs));
            out.put("throughputRepeats", REPEATS);
            if (largeMs <= smallMs) {
                out.put("throughput", "not measured (" + large + " bytes took no longer than " + small + " at the median: "
                        + largeMs + " ms against " + smallMs + " ms)");
            } else {
                out.put("throughputMbps", (large - small) * 8 / ((largeMs - smallMs) / 1e3) / 1e6);
            }
        } catch (RuntimeException e) {
            out.put("throughput", "not measured (" + e.getMessage() + ")");
        }
        return out;
    }

    /** The probe's input of {@code bytes}: not zeros, so that nothing on the way can compress them. */
    private static NamedTensor payload(long bytes) {
        byte[] payload = new byte[Math.toIntExact(bytes)];
        new Random(SEED).nextBytes(payload);
        return new NamedTensor(ProbeModel.INPUT, Datatype.UINT8, new long[] {bytes}, ByteBuffer.wrap(payload));
    }

    /** The nanoseconds of one probe request; its answer must be the payload's length. */
    private static long send(ModelClient client, NamedTensor in) {
        long bytes = in.byteSize();
        long start = System.nanoTime();
        Map<String, NamedTensor> answer = client.infer(List.of(in));
        long took = System.nanoTime() - start;
        NamedTensor length = answer.get(ProbeModel.OUTPUT);
        long answered = length == null || length.byteSize() != 8 ? -1 : length.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (answered != bytes) {
            throw new IllegalStateException("model '" + ProbeModel.NAME + "' at " + client.endpoint() + " answered length " + answered
                    + " for " + bytes + " bytes");
        }
        return took;
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
