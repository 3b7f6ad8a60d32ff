package org.tiermark.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.data.InputPool;
import org.tiermark.runtime.Costs;
import org.tiermark.runtime.LoadSweep;
import org.tiermark.runtime.TierServer;
import org.tiermark.tier.ComputeEmulation;
import org.tiermark.tier.LinkCost;

/**
 * Many mobile devices sharing one edge or cloud tier (MLPerf's Server scenario, Triton's
 * perf_analyzer): one trial is one strategy's whole load sweep ({@link LoadSweep}: unloaded, closed
 * loop over the number of clients, the search for the largest Poisson rate within the p99 bound),
 * written to the run folder as {@code load/<model>.<operator>.<deployment>.json}, which the report reads.
 * The JMH score is only how long the sweep took; the figures are in that file.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
// the sweep warms its server itself (one request per worker, then an unloaded level first)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Xms2g", "-Dai.djl.offline=true"})
public class LoadBenchmark extends BenchmarkBase {
    @Param({"identity"})
    public String operator;

    @Param({"edge"})
    public String deployment;

    /** Devices the open-loop arrivals come from. */
    @Param({"16"})
    public int clients;

    /** Closed-loop client counts, comma-separated. */
    @Param({"1,2,4,8,16"})
    public String concurrency;

    /** A fixed p99 bound in ms; empty: twice the unloaded p99. */
    @Param({""})
    public String boundMs;

    /** Arrivals of one level stop after this many milliseconds. */
    @Param({"3000"})
    public long levelMs;

    /** Workers of the tier, each with its own session and the tier's thread settings. */
    @Param({"1"})
    public int workers;

    private TierServer server;
    private List<byte[]> inputs;
    private LoadSweep.Settings settings;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loadInputs();
        settings = new LoadSweep.Settings(clients, parseConcurrency(), 2.0, parseBound(), 8, levelMs, 100_000, 1);
        InputPool pool = suite.pool(model, Suite.POOL_SIZE);
        inputs = new ArrayList<>();
        for (int i = 0; i < pool.size(); i++) {
            inputs.add(pool.get(i));
        }
        // links are the server's (shared by the devices); compute is stretched to the tier's speed
        Costs costs = new Costs(LinkCost.OFF, ComputeEmulation.STRETCH);
        server = TierServer.open(suite.profiles(), suite.profiles().deployment(deployment), workers,
                () -> suite.runner(model, operator, deployment, costs), firstInput());
    }

    @Benchmark
    public double sweep() throws Exception {
        LoadSweep result = LoadSweep.measure(server, inputs, settings, model, operator, deployment);
        String dir = System.getProperty(BenchmarkFiles.RUN_DIR);
        if (dir != null && !dir.isBlank()) {
            result.write(Path.of(dir, "load", model + "." + operator + "." + deployment + "." + ProcessHandle.current().pid() + ".json"));
        }
        return result.sustainedPerSecond();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private List<Integer> parseConcurrency() {
        List<Integer> out = new ArrayList<>();
        for (String part : concurrency.split(",")) {
            try {
                out.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("parameter 'concurrency': a comma-separated list of client counts, e.g. 1,2,4,8,16 (got '"
                        + concurrency + "')");
            }
        }
        return out;
    }

    private double parseBound() {
        if (boundMs.isBlank()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(boundMs);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("parameter 'boundMs': a p99 bound in milliseconds, or empty for twice the unloaded p99 (got '"
                    + boundMs + "')");
        }
    }
}
