package org.tiermark.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tiermark.runtime.LoadResult;
import org.tiermark.runtime.LoadSweep;

/**
 * The load benchmark's tables, from a run folder's {@code load/*.json} ({@link LoadSweep}): the largest
 * rate each strategy sustains on a shared tier within its p99 bound, the closed-loop percentile curves
 * over the number of clients, and every level the rate search ran (with the ones this machine could
 * not drive marked as such instead of a rate).
 */
final class LoadTables {
    static final String NOT_DRIVABLE = "not drivable here";
    /** The benchmark that writes the sweeps; its JMH score (the sweep's duration) is no strategy's latency. */
    static final String BENCHMARK = "LoadBenchmark";

    private LoadTables() {}

    /** The tables of every sweep in {@code runDir/load}; none when there is no such folder. A broken file becomes a problem. */
    static List<Table> of(Path runDir, List<String> problems) {
        List<LoadSweep> sweeps = read(runDir.resolve("load"), problems);
        if (sweeps.isEmpty()) {
            return List.of();
        }
        return List.of(sustained(sweeps), curves(sweeps), search(sweeps));
    }

    static List<LoadSweep> read(Path dir, List<String> problems) {
        List<LoadSweep> out = new ArrayList<>(JsonFiles.readEach(dir, LoadSweep::read, "load sweep", problems));
        out.sort(Comparator.comparing(LoadSweep::model).thenComparing(LoadSweep::operator).thenComparing(LoadSweep::deployment));
        return out;
    }

    static Table sustained(List<LoadSweep> sweeps) {
        Table.Builder t = new Table.Builder("load-sustained", "Shared tier: the largest request rate within the p99 bound",
                List.of("model", "operator", "deployment", "workers", "unloaded p50 (ms)", "unloaded p99 (ms)", "p99 bound (ms)",
                        "bound rule", "capacity (req/s)", "sustained (req/s)", "utilization at sustained", "levels run"));
        for (LoadSweep s : sweeps) {
            double capacity = s.workers() * 1e3 / s.unloaded().serviceMeanMs();
            LoadResult atSustained = s.search().stream().filter(r -> r.level().ratePerSecond() == s.sustainedPerSecond())
                    .findFirst().orElse(null);
            Object sustained;
            if (!Double.isNaN(s.sustainedPerSecond())) {
                sustained = s.sustainedPerSecond();
            } else if (!Double.isNaN(s.notDrivableFromPerSecond())) {
                sustained = NOT_DRIVABLE;
            } else {
                sustained = "none within the bound";
            }
            t.row(s.model(), s.operator(), s.deployment(), (long) s.workers(), s.unloaded().p50Ms(), finite(s.unloaded().p99Ms()),
                    s.p99BoundMs(), s.boundRule(), capacity, sustained, atSustained == null ? null : atSustained.utilization(),
                    (long) s.search().size());
        }
        t.note("Open-loop Poisson arrivals from " + sweeps.get(0).search().stream().findFirst().map(r -> r.level().clients()).orElse(0)
                + " devices; latency from a request's scheduled arrival to its answer on the device (links, tier queue, tier compute).");
        t.note("capacity = workers / mean service time when unloaded; the search starts at half of it, doubles until a level misses"
                + " the bound, then bisects. A level whose generator fell behind its schedule by more than "
                + Math.round(LoadResult.MAX_SCHEDULE_SLIP * 100) + "% is '" + NOT_DRIVABLE + "' and never counted as sustained.");
        t.note("Measured on " + sweeps.get(0).machineCores() + " cores shared by the load generator and the tier's workers;"
                + " see docs/report.md (Shared tier) for what that means for these figures.");
        return t.build();
    }

    static Table curves(List<LoadSweep> sweeps) {
        Table.Builder t = new Table.Builder("load-curves", "Shared tier: latency percentiles by number of clients (closed loop)",
                List.of("model", "operator", "deployment", "clients", "throughput (req/s)", "p50 (ms)", "p90 (ms)", "p99 (ms)",
                        "queue wait mean (ms)", "utilization", "process CPU share", "answered", "unanswered"));
        for (LoadSweep s : sweeps) {
            for (LoadResult r : s.concurrency()) {
                t.row(s.model(), s.operator(), s.deployment(), (long) r.level().clients(), r.throughputPerSecond(), finite(r.p50Ms()),
                        finite(r.p90Ms()), finite(r.p99Ms()), r.queueWaitMeanMs(), r.utilization(), r.processCpuShare(),
                        (long) r.completed(), (long) r.unfinished());
            }
        }
        t.note("Each client sends its next request when its answer arrives: 'clients' requests are always in flight.");
        return t.build();
    }

    static Table search(List<LoadSweep> sweeps) {
        Table.Builder t = new Table.Builder("load-search", "Shared tier: every level of the rate search (open loop)",
                List.of("model", "operator", "deployment", "target (req/s)", "offered (req/s)", "throughput (req/s)", "p50 (ms)",
                        "p99 (ms)", "queue wait p99 (ms)", "generator lag p50 (ms)", "generator CPU (ms)", "within bound"));
        for (LoadSweep s : sweeps) {
            for (LoadResult r : s.search()) {
                String verdict = !r.drivable() ? NOT_DRIVABLE : r.sustains(s.p99BoundMs()) ? "yes" : "no";
                t.row(s.model(), s.operator(), s.deployment(), r.level().ratePerSecond(),
                        r.drivable() ? r.offeredPerSecond() : NOT_DRIVABLE, r.throughputPerSecond(), finite(r.p50Ms()),
                        finite(r.p99Ms()), finite(r.queueWaitP99Ms()), r.generatorLagP50Ms(), r.generatorCpuMs(), verdict);
            }
        }
        return t.build();
    }

    /** A latency, or a word when requests were left unanswered when the level stopped. */
    private static Object finite(double ms) {
        return Double.isInfinite(ms) ? "unanswered" : ms;
    }
}
