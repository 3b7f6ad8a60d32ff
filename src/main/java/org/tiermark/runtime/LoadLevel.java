package org.tiermark.runtime;

import org.tiermark.InvalidInputException;

/**
 * One load level offered to a tier: {@code clients} mobile devices sending either open-loop Poisson
 * arrivals at {@code ratePerSecond} in total (each client a seeded stream of {@code rate / clients},
 * whose superposition is Poisson at {@code rate}), or closed-loop: each client sends its next request
 * when its answer arrives, so {@code clients} requests are always in flight (the rate is then unset).
 * A level stops by itself: after {@code maxRequests} arrivals or {@code maxDurationMs}, whichever comes
 * first; what is still unanswered {@code maxDurationMs} later is counted as unfinished.
 *
 * @param seed seed of the arrival times (open loop) and of the inputs' order
 */
public record LoadLevel(Mode mode, int clients, double ratePerSecond, int maxRequests, long maxDurationMs, long seed) {
    /**
     * The fastest arrival rate one generator thread here can schedule: its wait wakes about 50
     * microseconds late, so arrivals closer than 100 microseconds on average are not a schedule it can keep.
     */
    public static final double MAX_RATE_PER_SECOND = 10_000;
    public static final int MAX_CLIENTS = 1024;

    /** Open loop (arrivals on a schedule, whatever the answers) or closed loop (a fixed number in flight). */
    public enum Mode { OPEN, CLOSED }

    public LoadLevel {
        if (mode == null) {
            throw new InvalidInputException("load level: 'mode' must be open or closed");
        }
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw new InvalidInputException("load level: 'clients' must be 1.." + MAX_CLIENTS + " (got " + clients + ")");
        }
        if (mode == Mode.OPEN) {
            if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
                throw new InvalidInputException("load level: 'ratePerSecond' must be a positive number of requests per second (got "
                        + ratePerSecond + ")");
            }
            if (ratePerSecond > MAX_RATE_PER_SECOND) {
                throw new InvalidInputException("load level: 'ratePerSecond' " + ratePerSecond
                        + " is above what this machine's load generator can drive (at most " + MAX_RATE_PER_SECOND
                        + " requests/s: its waits wake ~50 us late); not measured");
            }
        } else if (!Double.isNaN(ratePerSecond)) {
            throw new InvalidInputException("load level: a closed-loop level has no 'ratePerSecond' (got " + ratePerSecond
                    + "); its rate is what the tier answers");
        }
        if (maxRequests < 1) {
            throw new InvalidInputException("load level: 'maxRequests' must be >= 1 (got " + maxRequests + ")");
        }
        if (maxDurationMs < 1) {
            throw new InvalidInputException("load level: 'maxDurationMs' must be >= 1 (got " + maxDurationMs + ")");
        }
    }

    /** Poisson arrivals at {@code ratePerSecond} in total from {@code clients} devices. */
    public static LoadLevel open(int clients, double ratePerSecond, int maxRequests, long maxDurationMs, long seed) {
        return new LoadLevel(Mode.OPEN, clients, ratePerSecond, maxRequests, maxDurationMs, seed);
    }

    /** {@code clients} devices, each with one request in flight. */
    public static LoadLevel closed(int clients, int maxRequests, long maxDurationMs, long seed) {
        return new LoadLevel(Mode.CLOSED, clients, Double.NaN, maxRequests, maxDurationMs, seed);
    }
}
