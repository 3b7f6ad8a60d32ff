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
import org.tiermark.tier.LinkCalibration;
import org.tiermark.tier.LinkDelay;
import org.tiermark.runtime.PreciseWait;
import org.tiermark.tier.LinkProfile;

/**
 * Accuracy of the simulated link wait: a payload sized so that the link model asks for
 * {@code waitMicros}, waited as the runner waits it. The report compares the median with the
 * model's figure (target: within 2% or 50 us for waits of 1 ms and more).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@State(Scope.Thread)
public class LinkWaitBenchmark {
    @Param({"1000", "5000", "20000"})
    public long waitMicros;

    private LinkProfile link;
    private long bytes;
    private final LinkDelay.Jitter jitter = new LinkDelay.Jitter();

    @Setup(Level.Trial)
    public void setUp() {
        // 1 Mbit/s, no RTT, payload bits only (the wait is measured here, not the link model): 125 bytes per millisecond
        link = new LinkProfile("wait-check", "mobile", "edge", 1.0, 0.0, 0.0, 0, "", LinkCalibration.PAYLOAD_ONLY);
        bytes = waitMicros * 125 / 1000;
    }

    @Benchmark
    public long linkWait() {
        long nanos = LinkDelay.transferNanos(java.util.List.of(link), bytes, jitter);
        PreciseWait.waitNanos(nanos);
        return nanos;
    }
}
