package org.tiermark.runtime;

import ai.onnxruntime.OrtException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.tiermark.InvalidInputException;
import org.tiermark.tier.DeploymentProfile;
import org.tiermark.tier.LinkCost;
import org.tiermark.tier.Profiles;
import org.tiermark.tier.Profiles.Hop;
import org.tiermark.tier.TierProfile;

/**
 * One edge or cloud tier serving many mobile devices, for the load benchmark: requests cross the
 * shared links ({@link SharedLinks}) from their device, wait in the tier's one FIFO queue, and are
 * served by its workers, each a {@link DeploymentRunner} of its own (its own ONNX Runtime session with
 * the tier's thread settings, compute stretched to the tier's speed); the answer crosses back. So
 * queueing happens where the tier's compute is. {@link #run} drives one {@link LoadLevel} from the
 * calling thread (the load generator) and returns what it measured.
 *
 * <p>Serves whole-model deployments whose raw input crosses to one non-origin tier ({@code edge},
 * {@code cloud}); split deployments would need a queue per tier and are not served here. Link times are
 * computed by the shared links, not waited by the workers: a worker is busy only while it computes.
 * One level runs at a time.
 */
public final class TierServer implements AutoCloseable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Opens one runner of the served variant; called once per worker. */
    @FunctionalInterface
    public interface RunnerOpener {
        DeploymentRunner open() throws OrtException;
    }

    private final TierProfile tier;
    private final Hop up;
    private final Hop down;
    private final List<DeploymentRunner> runners = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final DelayQueue<Request> queue = new DelayQueue<>();
    private final SharedLinks links = new SharedLinks();
    private volatile boolean closed;

    private TierServer(TierProfile tier, Hop up, Hop down) {
        this.tier = tier;
        this.up = up;
        this.down = down;
    }

    /**
     * Opens {@code workers} runners of {@code deployment} and warms each on {@code warmUpInput}. The
     * runners must leave links to the server ({@link LinkCost#OFF}); the tier's threads times the workers
     * must fit this machine's cores, or the tier would be measured at a speed no profile says.
     */
    public static TierServer open(Profiles profiles, DeploymentProfile deployment, int workers, RunnerOpener opener,
                                  byte[] warmUpInput) throws OrtException {
        if (deployment.stageCount() != 1 || deployment.firstHop() != DeploymentProfile.FirstHop.RAW
                || deployment.stages().get(0).equals(DeploymentProfile.ORIGIN)) {
            throw new InvalidInputException("deployment '" + deployment.name() + "': the load benchmark serves a whole model on one"
                    + " tier other than '" + DeploymentProfile.ORIGIN + "' with a raw first hop (e.g. 'edge', 'cloud')");
        }
        TierProfile tier = profiles.tier(deployment.stages().get(0));
        int cores = Runtime.getRuntime().availableProcessors();
        if (workers < 1 || (long) workers * tier.intraOpThreads() > cores) {
            throw new InvalidInputException("workers: must be >= 1 and workers x intraOpThreads of tier '" + tier.name() + "' ("
                    + tier.intraOpThreads() + ") at most this machine's " + cores + " cores (got " + workers + ")");
        }
        List<Hop> hops = profiles.hops(deployment);
        TierServer server = new TierServer(tier, hops.get(0), hops.get(hops.size() - 1));
        try {
            for (int i = 0; i < workers; i++) {
                DeploymentRunner runner = opener.open();
                server.runners.add(runner);
                if (runner.costs().link() != LinkCost.OFF || !runner.deployment().name().equals(deployment.name())) {
                    throw new IllegalArgumentException("a tier server's runners run '" + deployment.name()
                            + "' with link cost off (the server's links are shared); got '" + runner.deployment().name()
                            + "' with " + runner.costs().link().id());
                }
                runner.warmUp(warmUpInput);
            }
        } catch (OrtException | RuntimeException e) {
            server.close();
            throw e;
        }
        for (int i = 0; i < workers; i++) {
            DeploymentRunner runner = server.runners.get(i);
            Thread t = new Thread(() -> server.serve(runner), "tier-" + tier.name() + "-worker-" + i);
            t.setDaemon(true);
            server.workers.add(t);
            t.start();
        }
        return server;
    }

    public TierProfile tier() {
        return tier;
    }

    public int workerCount() {
        return runners.size();
    }

    /**
     * Drives one level with the calling thread as the load generator and waits until it is over
     * (at most twice its duration). Inputs are taken in a seeded random order.
     */
    public LoadResult run(LoadLevel level, List<byte[]> inputs) throws InterruptedException {
        if (inputs.isEmpty()) {
            throw new InvalidInputException("load level: no inputs to send");
        }
        links.reset();
        long cpuBefore = processCpuNanos();
        long generatorCpuBefore = THREADS.getCurrentThreadCpuTime();
        LevelRun run = new LevelRun(level, inputs, System.nanoTime());
        if (level.mode() == LoadLevel.Mode.OPEN) {
            generate(run);
        } else {
            for (int c = 0; c < level.clients(); c++) {
                run.sendFrom(c, run.startNanos);
            }
        }
        run.awaitEnd();
        queue.removeIf(r -> r.run == run);
        run.awaitIdleWorkers();
        if (run.failure != null) {
            throw new IllegalStateException("a request failed on tier '" + tier.name() + "'", run.failure);
        }
        long wallNanos = System.nanoTime() - run.startNanos;
        double cpuShare = (processCpuNanos() - cpuBefore) / (double) wallNanos / Runtime.getRuntime().availableProcessors();
        return run.result((THREADS.getCurrentThreadCpuTime() - generatorCpuBefore) / 1e6, cpuShare);
    }

    /** Open loop: submits each arrival when its time comes, however the tier is doing. */
    private void generate(LevelRun run) {
        LoadLevel level = run.level;
        long[] schedule = arrivals(level);
        long[] lags = new long[schedule.length];
        int n = 0;
        for (long offset : schedule) {
            long scheduled = run.startNanos + offset;
            PreciseWait.until(scheduled);
            lags[n++] = System.nanoTime() - scheduled;
            run.submit(run.nextInput(), scheduled);
        }
        run.generated(lags, n == 0 ? 0 : schedule[n - 1], System.nanoTime() - run.startNanos);
    }

    /**
     * Arrival offsets from the start, merged from each client's own Poisson stream (seed + client),
     * up to the level's duration and request count.
     */
    static long[] arrivals(LoadLevel level) {
        double meanGapNanos = 1e9 * level.clients() / level.ratePerSecond();
        long horizon = TimeUnit.MILLISECONDS.toNanos(level.maxDurationMs());
        List<Long> all = new ArrayList<>();
        for (int c = 0; c < level.clients(); c++) {
            SplittableRandom random = new SplittableRandom(level.seed() * 1_000_003L + c);
            double t = 0;
            int count = 0;
            while (count++ < level.maxRequests()) {
                t += -Math.log(1 - random.nextDouble()) * meanGapNanos;
                if (t >= horizon) {
                    break;
                }
                all.add((long) t);
            }
        }
        long[] out = all.stream().mapToLong(Long::longValue).sorted().toArray();
        return out.length > level.maxRequests() ? Arrays.copyOf(out, level.maxRequests()) : out;
    }

    private void serve(DeploymentRunner runner) {
        int answerHop = runner.hops().size() - 1;
        while (!closed) {
            Request r;
            try {
                r = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (r == null || !r.run.startService()) {
                continue;
            }
            try {
                long start = System.nanoTime();
                runner.run(r.raw);
                long end = System.nanoTime();
                long answered = links.arrivalNanos(down.links(), down.from(), runner.lastBreakdown().bytes[answerHop], end);
                r.run.done(r, start, end, answered);
            } catch (OrtException | RuntimeException e) {
                r.run.fail(e);
            } finally {
                r.run.endService();
            }
        }
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RuntimeException failure = null;
        for (DeploymentRunner r : runners) {
            try {
                r.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        runners.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** A request on its way: ready for the tier when its raw input has crossed the links. */
    private record Request(LevelRun run, int client, byte[] raw, long arrivalNanos, long readyNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(readyNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(readyNanos, ((Request) o).readyNanos);
        }
    }

    /** The state of one level while it runs: what was sent, what was answered, when it ends. */
    private final class LevelRun {
        final LoadLevel level;
        final List<byte[]> inputs;
        final long startNanos;
        final long endOfArrivalsNanos;
        final SplittableRandom order;
        final List<long[]> answered = new ArrayList<>();
        int submitted;
        int inService;
        boolean generationOver;
        boolean stopped;
        long[] lags = new long[0];
        long scheduledSpanNanos;
        long submittedSpanNanos;
        Throwable failure;

        LevelRun(LoadLevel level, List<byte[]> inputs, long startNanos) {
            this.level = level;
            this.inputs = inputs;
            this.startNanos = startNanos;
            this.endOfArrivalsNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(level.maxDurationMs());
            this.order = new SplittableRandom(level.seed());
        }

        synchronized byte[] nextInput() {
            return inputs.get(order.nextInt(inputs.size()));
        }

        void submit(byte[] raw, long arrival) {
            submitFrom(-1, raw, arrival);
        }

        /** Closed loop: client {@code c} sends its next request at {@code arrival}, unless the level is over. */
        void sendFrom(int client, long arrival) {
            synchronized (this) {
                if (stopped || submitted >= level.maxRequests() || arrival >= endOfArrivalsNanos) {
                    generationOver = true;
                    notifyAll();
                    return;
                }
            }
            submitFrom(client, nextInput(), arrival);
        }

        private void submitFrom(int client, byte[] raw, long arrival) {
            long ready = links.arrivalNanos(up.links(), up.from(), raw.length, arrival);
            synchronized (this) {
                submitted++;
            }
            queue.put(new Request(this, client, raw, arrival, ready));
        }

        synchronized void generated(long[] lags, long scheduledSpanNanos, long submittedSpanNanos) {
            this.lags = lags;
            this.scheduledSpanNanos = scheduledSpanNanos;
            this.submittedSpanNanos = submittedSpanNanos;
            generationOver = true;
            notifyAll();
        }

        synchronized boolean startService() {
            if (stopped) {
                return false;
            }
            inService++;
            return true;
        }

        synchronized void endService() {
            inService--;
            notifyAll();
        }

        void done(Request r, long start, long end, long answeredNanos) {
            // the client's next request is counted before this answer, so the level never looks drained in between
            if (level.mode() == LoadLevel.Mode.CLOSED) {
                sendFrom(r.client, answeredNanos);
            }
            synchronized (this) {
                answered.add(new long[] {r.arrivalNanos, r.readyNanos, start, end, answeredNanos});
                notifyAll();
            }
        }

        synchronized void fail(Throwable e) {
            failure = failure == null ? e : failure;
            stopped = true;
            notifyAll();
        }

        /** Until every request is answered after the arrivals end, or twice the level's duration. */
        synchronized void awaitEnd() throws InterruptedException {
            long hardStop = startNanos + 2 * TimeUnit.MILLISECONDS.toNanos(level.maxDurationMs());
            long remaining;
            while (!stopped && !(generationOver && answered.size() == submitted)
                    && (remaining = hardStop - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            }
            stopped = true;
        }

        synchronized void awaitIdleWorkers() throws InterruptedException {
            while (inService > 0) {
                wait();
            }
        }

        synchronized LoadResult result(double generatorCpuMs, double processCpuShare) {
            int n = answered.size();
            long[] latency = new long[n];
            long[] queueWait = new long[n];
            long[] service = new long[n];
            long lastAnswer = startNanos;
            long firstArrival = Long.MAX_VALUE;
            long lastArrival = startNanos;
            for (int i = 0; i < n; i++) {
                long[] a = answered.get(i);
                latency[i] = a[4] - a[0];
                queueWait[i] = Math.max(0, a[2] - a[1]);
                service[i] = a[3] - a[2];
                lastAnswer = Math.max(lastAnswer, a[4]);
                firstArrival = Math.min(firstArrival, a[0]);
                lastArrival = Math.max(lastArrival, a[0]);
            }
            Arrays.sort(latency);
            Arrays.sort(queueWait);
            int unfinished = submitted - n;
            double throughput = n == 0 ? 0 : n / ((lastAnswer - Math.min(firstArrival, lastAnswer)) / 1e9);
            double serviceMs = LoadResult.meanMs(service);
            boolean drivable = true;
            double offered;
            double lagP50Ms = 0;
            if (level.mode() == LoadLevel.Mode.OPEN) {
                long[] sortedLags = lags.clone();
                Arrays.sort(sortedLags);
                long lagP50 = sortedLags.length == 0 ? 0 : sortedLags[sortedLags.length / 2];
                lagP50Ms = lagP50 / 1e6;
                double scheduleRate = submitted / (scheduledSpanNanos / 1e9);
                offered = submitted / (submittedSpanNanos / 1e9);
                drivable = submitted < 2 || LoadResult.isDrivable(scheduleRate, offered, lagP50);
            } else {
                offered = submitted / ((lastArrival - startNanos) / 1e9);
            }
            return new LoadResult(level, n, unfinished, throughput, offered,
                    LoadResult.quantileMs(latency, unfinished, 0.50), LoadResult.quantileMs(latency, unfinished, 0.90),
                    LoadResult.quantileMs(latency, unfinished, 0.99), LoadResult.meanMs(latency),
                    LoadResult.meanMs(queueWait), LoadResult.quantileMs(queueWait, 0, 0.99), serviceMs,
                    throughput * serviceMs / 1e3 / runners.size(), lagP50Ms, generatorCpuMs, processCpuShare, drivable);
        }
    }
}
