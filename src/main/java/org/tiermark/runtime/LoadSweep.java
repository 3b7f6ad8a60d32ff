package org.tiermark.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.tier.TierProfile;

/**
 * One strategy's load sweep on a shared tier, as the load benchmark writes it to the run folder
 * ({@code load/*.json}) and the report reads it: the unloaded level, a closed-loop sweep over the
 * number of clients (the percentile curves), and the search for the largest Poisson arrival rate whose
 * p99 stays within the bound.
 *
 * @param p99BoundMs          the p99 latency bound the search held the strategy to
 * @param boundRule           how the bound was set ("2.0 x unloaded p99" or "fixed")
 * @param sustainedPerSecond  the largest rate found within the bound; NaN when even the lowest tried failed
 * @param notDrivableFromPerSecond the lowest rate this machine's generator could not drive; NaN when none
 */
public record LoadSweep(int schemaVersion, String model, String operator, String deployment, String tier, int workers,
                        int intraOpThreads, double relativeSpeed, int machineCores, LoadResult unloaded, double p99BoundMs,
                        String boundRule, List<LoadResult> concurrency, List<LoadResult> search, double sustainedPerSecond,
                        double notDrivableFromPerSecond) {
    public static final int SCHEMA_VERSION = 1;

    public LoadSweep {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("field 'schemaVersion': this build reads version " + SCHEMA_VERSION
                    + " (got " + schemaVersion + ")");
        }
        concurrency = List.copyOf(concurrency);
        search = List.copyOf(search);
    }

    /**
     * How a sweep runs.
     *
     * @param openLoopClients  devices the Poisson arrivals of the search come from
     * @param concurrency      client counts of the closed-loop sweep
     * @param boundFactor      the p99 bound as a multiple of the unloaded p99, used when {@code boundMs} is NaN
     * @param boundMs          a fixed p99 bound in milliseconds, or NaN
     * @param searchLevels     open-loop levels the search may run
     * @param levelDurationMs  arrivals of one level stop after this (the level then drains, at most as long again)
     * @param maxRequests      arrivals of one level stop after this many
     */
    public record Settings(int openLoopClients, List<Integer> concurrency, double boundFactor, double boundMs, int searchLevels,
                           long levelDurationMs, int maxRequests, long seed) {
        /** 16 devices, closed loop at 1..16 clients, p99 within twice the unloaded p99, 8 levels of 3 s. */
        public static final Settings DEFAULT = new Settings(16, List.of(1, 2, 4, 8, 16), 2.0, Double.NaN, 8, 3000, 3000, 1);

        public Settings {
            concurrency = List.copyOf(concurrency);
            for (int c : concurrency) {
                if (c < 1 || c > LoadLevel.MAX_CLIENTS) {
                    throw new InvalidInputException("load sweep: 'concurrency' values must be 1.." + LoadLevel.MAX_CLIENTS + " (got " + c + ")");
                }
            }
            if (openLoopClients < 1 || openLoopClients > LoadLevel.MAX_CLIENTS) {
                throw new InvalidInputException("load sweep: 'clients' must be 1.." + LoadLevel.MAX_CLIENTS + " (got " + openLoopClients + ")");
            }
            if (!(boundFactor >= 1) || Double.isInfinite(boundFactor)) {
                throw new InvalidInputException("load sweep: 'boundFactor' must be a number >= 1 (got " + boundFactor + ")");
            }
            if (!Double.isNaN(boundMs) && (!(boundMs > 0) || Double.isInfinite(boundMs))) {
                throw new InvalidInputException("load sweep: 'boundMs' must be a positive number of milliseconds (got " + boundMs + ")");
            }
            if (searchLevels < 1 || searchLevels > 50) {
                throw new InvalidInputException("load sweep: 'searchLevels' must be 1..50 (got " + searchLevels + ")");
            }
            if (levelDurationMs < 1 || maxRequests < 1) {
                throw new InvalidInputException("load sweep: 'levelDurationMs' and 'maxRequests' must be >= 1 (got "
                        + levelDurationMs + ", " + maxRequests + ")");
            }
        }
    }

    /**
     * Runs a sweep on {@code server}: unloaded, closed loop, then the rate search. The search starts at
     * half the capacity the unloaded service time implies, doubles until a level misses the bound (or is
     * not drivable here), then bisects; a level the generator cannot drive is never taken as sustained.
     */
    public static LoadSweep measure(TierServer server, List<byte[]> inputs, Settings s, String model, String operator,
                                    String deployment) throws InterruptedException {
        LoadResult unloaded = server.run(LoadLevel.closed(1, s.maxRequests(), s.levelDurationMs(), s.seed()), inputs);
        boolean fixed = !Double.isNaN(s.boundMs());
        double bound = fixed ? s.boundMs() : s.boundFactor() * unloaded.p99Ms();
        List<LoadResult> closed = new ArrayList<>();
        for (int c : s.concurrency()) {
            closed.add(server.run(LoadLevel.closed(c, s.maxRequests(), s.levelDurationMs(), s.seed() + c), inputs));
        }
        List<LoadResult> search = new ArrayList<>();
        double good = Double.NaN;
        double bad = Double.NaN;
        double notDrivable = Double.NaN;
        double rate = Math.min(LoadLevel.MAX_RATE_PER_SECOND, 0.5 * server.workerCount() * 1e3 / unloaded.serviceMeanMs());
        for (int i = 0; i < s.searchLevels() && rate > 0; i++) {
            LoadResult r = server.run(LoadLevel.open(s.openLoopClients(), rate, s.maxRequests(), s.levelDurationMs(),
                    s.seed() + 100 + i), inputs);
            search.add(r);
            if (!r.drivable()) {
                notDrivable = Double.isNaN(notDrivable) ? rate : Math.min(notDrivable, rate);
            }
            if (r.sustains(bound)) {
                good = Double.isNaN(good) ? rate : Math.max(good, rate);
            } else {
                bad = Double.isNaN(bad) ? rate : Math.min(bad, rate);
            }
            double next;
            if (Double.isNaN(bad)) {
                next = Math.min(LoadLevel.MAX_RATE_PER_SECOND, 2 * rate);
            } else if (Double.isNaN(good)) {
                next = rate / 2;
            } else {
                next = (good + bad) / 2;
            }
            if (next == rate || (!Double.isNaN(good) && !Double.isNaN(bad) && bad / good < 1.05)) {
                break;
            }
            rate = next;
        }
        TierProfile tier = server.tier();
        return new LoadSweep(SCHEMA_VERSION, model, operator, deployment, tier.name(), server.workerCount(),
                tier.intraOpThreads(), tier.relativeSpeed(), Runtime.getRuntime().availableProcessors(), unloaded, bound,
                fixed ? "fixed" : s.boundFactor() + " x unloaded p99", closed, search, good, notDrivable);
    }

    public void write(Path file) throws IOException {
        Json.writeAtomically(file, this);
    }

    public static LoadSweep read(Path file) {
        return Json.read(file, LoadSweep.class);
    }
}
