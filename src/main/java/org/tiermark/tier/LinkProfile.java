package org.tiermark.tier;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The network between two tiers, as loaded from {@code profiles/links/<name>.json}. Links are
 * symmetric: the same figures apply in both directions.
 *
 * @param name           the link's name, also its file name
 * @param from           one end (a tier name)
 * @param to             the other end (a tier name)
 * @param bandwidthMbps  bandwidth in megabits (10^6 bits) per second
 * @param rttMs          round-trip time; one crossing costs half of it
 * @param jitterMs       optional: each crossing adds a uniform random delay in [0, jitterMs)
 * @param jitterSeed     seed of the jitter, so runs repeat exactly
 * @param calibration    optional: wire framing and connection costs ({@link LinkCalibration#DEFAULT} when absent)
 */
public record LinkProfile(
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) String from,
        @JsonProperty(required = true) String to,
        @JsonProperty(required = true) double bandwidthMbps,
        @JsonProperty(required = true) double rttMs,
        double jitterMs,
        long jitterSeed,
        String description,
        LinkCalibration calibration) {

    public LinkProfile {
        Names.check("name", name);
        Names.check("from", from);
        Names.check("to", to);
        if (from.equals(to)) {
            throw new IllegalArgumentException("field 'to': a link joins two different tiers (both are '" + from + "')");
        }
        if (!(bandwidthMbps > 0) || Double.isInfinite(bandwidthMbps)) {
            throw new IllegalArgumentException("field 'bandwidthMbps': must be a positive number (got " + bandwidthMbps + ")");
        }
        if (!(rttMs >= 0) || Double.isInfinite(rttMs)) {
            throw new IllegalArgumentException("field 'rttMs': must be >= 0 (got " + rttMs + ")");
        }
        if (!(jitterMs >= 0) || Double.isInfinite(jitterMs)) {
            throw new IllegalArgumentException("field 'jitterMs': must be >= 0 (got " + jitterMs + ")");
        }
        description = description == null ? "" : description;
        calibration = calibration == null ? LinkCalibration.DEFAULT : calibration;
    }

    /** A link with the default calibration. */
    public LinkProfile(String name, String from, String to, double bandwidthMbps, double rttMs, double jitterMs,
                       long jitterSeed, String description) {
        this(name, from, to, bandwidthMbps, rttMs, jitterMs, jitterSeed, description, null);
    }

    /** The same link at another bandwidth (a point of a bandwidth sweep). */
    public LinkProfile withBandwidth(double mbps) {
        return new LinkProfile(name, from, to, mbps, rttMs, jitterMs, jitterSeed, description, calibration);
    }

    /** The same link under another calibration. */
    public LinkProfile withCalibration(LinkCalibration c) {
        return new LinkProfile(name, from, to, bandwidthMbps, rttMs, jitterMs, jitterSeed, description, c);
    }

    public boolean joins(String a, String b) {
        return (from.equals(a) && to.equals(b)) || (from.equals(b) && to.equals(a));
    }

    /** The end of this link that is not {@code tier}. */
    public String other(String tier) {
        return from.equals(tier) ? to : from;
    }
}
