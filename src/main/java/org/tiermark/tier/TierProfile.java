package org.tiermark.tier;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;
import org.tiermark.onnx.Sessions;

/**
 * A place where compute runs, as loaded from {@code profiles/tiers/<name>.json}.
 *
 * @param name            the tier's name, also its file name
 * @param intraOpThreads  ONNX Runtime intra-op threads for stages on this tier
 * @param interOpThreads  ONNX Runtime inter-op threads (sequential execution uses 1)
 * @param relativeSpeed   compute speed relative to the measuring machine (1.0 = this machine);
 *                        with compute emulation {@code stretch} a stage's compute time is stretched by 1 / relativeSpeed
 * @param memoryBudgetMb  memory a variant may use on this tier; above it the variant is not deployable there
 * @param description     where the numbers come from
 * @param endpoint        optional: where a real server of this tier listens, {@code http://host:port} (Open
 *                        Inference Protocol, REST) or {@code grpc://host:port} (its gRPC service); used when links are {@code remote}. A tier without one
 *                        cannot hold a stage in a remote run (the origin, {@code mobile}, is this machine)
 */
public record TierProfile(
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) int intraOpThreads,
        @JsonProperty(required = true) int interOpThreads,
        @JsonProperty(required = true) double relativeSpeed,
        @JsonProperty(required = true) long memoryBudgetMb,
        String description,
        String endpoint) {

    /** The URI schemes an endpoint may have: the transports the inference client speaks. */
    public static final List<String> ENDPOINT_SCHEMES = List.of("http", "grpc");

    public TierProfile {
        Names.check("name", name);
        if (intraOpThreads < 1 || intraOpThreads > 256) {
            throw new IllegalArgumentException("field 'intraOpThreads': must be 1..256 (got " + intraOpThreads + ")");
        }
        if (interOpThreads < 1 || interOpThreads > 256) {
            throw new IllegalArgumentException("field 'interOpThreads': must be 1..256 (got " + interOpThreads + ")");
        }
        if (!(relativeSpeed > 0) || Double.isInfinite(relativeSpeed)) {
            throw new IllegalArgumentException("field 'relativeSpeed': must be a positive number (got " + relativeSpeed + ")");
        }
        if (memoryBudgetMb < 1) {
            throw new IllegalArgumentException("field 'memoryBudgetMb': must be >= 1 (got " + memoryBudgetMb + ")");
        }
        description = description == null ? "" : description;
        endpoint = endpoint == null || endpoint.isBlank() ? null : endpoint.strip();
        if (endpoint != null) {
            checkEndpoint(endpoint);
        }
    }

    /** A tier without an endpoint. */
    public TierProfile(String name, int intraOpThreads, int interOpThreads, double relativeSpeed, long memoryBudgetMb,
                       String description) {
        this(name, intraOpThreads, interOpThreads, relativeSpeed, memoryBudgetMb, description, null);
    }

    private static void checkEndpoint(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("field 'endpoint': not a URI (" + e.getMessage() + "); write http://host:port or grpc://host:port");
        }
        if (uri.getScheme() == null || !ENDPOINT_SCHEMES.contains(uri.getScheme())) {
            throw new IllegalArgumentException("field 'endpoint': scheme '" + uri.getScheme() + "' of " + endpoint
                    + " is not spoken by this build's inference client; valid: " + ENDPOINT_SCHEMES + " (e.g. http://10.0.0.5:8000 or grpc://10.0.0.5:8001)");
        }
        if (uri.getHost() == null || uri.getPort() < 1 || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
            throw new IllegalArgumentException("field 'endpoint': " + endpoint + " must be scheme://host:port with a port and no path");
        }
    }

    /** The endpoint, if the profile names one. */
    public Optional<URI> endpointUri() {
        return Optional.ofNullable(endpoint).map(URI::create);
    }

    /** Nanoseconds this tier needs for work that took {@code measuredNanos} on the measuring machine. */
    public long stretchedNanos(long measuredNanos) {
        return Math.round(measuredNanos / relativeSpeed);
    }

    /** ONNX Runtime settings of the stages placed on this tier. */
    public Sessions.Settings sessionSettings() {
        return Sessions.Settings.threads(intraOpThreads, interOpThreads);
    }
}
