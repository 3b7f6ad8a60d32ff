package org.tiermark.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tiermark.Suite;
import org.tiermark.data.InputPool;

/**
 * Harness settings and the {@code model} parameter shared by the benchmarks of a catalog model, and
 * the raw inputs they cycle through. A subclass adds its own {@code @Param}s and, where its
 * measurement differs, its own harness annotations. The suite passes its own forks and iterations;
 * these are what a direct {@code java -jar} run of one benchmark gets.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// the first iterations carry JIT compilation and ONNX Runtime's arena growth: warm up for real
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
// heap for tokenizer and payload buffers; models live off-heap in ONNX Runtime
@Fork(value = 2, jvmArgsAppend = {"-Xmx2g", "-Xms2g", "-Dai.djl.offline=true"})
@State(Scope.Thread)
public abstract class BenchmarkBase {
    @Param({"minilm-l6"})
    public String model;

    protected Suite suite;
    private InputPool pool;
    private int next;

    /** Loads the project folder the suite named and {@code model}'s raw inputs: call first in setup. */
    protected void loadInputs() {
        suite = Suite.fromSystemProperty();
        pool = suite.pool(model, Suite.POOL_SIZE);
    }

    /** The first raw input, for warming up a runner outside the measurement. */
    protected byte[] firstInput() {
        return pool.get(0);
    }

    /** The next raw input, round robin. */
    protected byte[] nextInput() {
        byte[] raw = pool.get(next);
        next = (next + 1) % pool.size();
        return raw;
    }
}
