package org.tiermark.tier;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tiermark.InvalidInputException;

/**
 * One link measured at another bandwidth than its profile's: a point of a bandwidth sweep. The suite passes
 * it to the JMH forks as the system property {@value #PROPERTY} ({@code link:mbps}), and {@link Profiles#load}
 * applies it, so every part of a fork (simulated link delay, emulated shaping) sees the same link.
 *
 * @param link          the link's name
 * @param bandwidthMbps the bandwidth to use instead of the profile's
 */
public record BandwidthOverride(String link, double bandwidthMbps) {
    public static final String PROPERTY = "tiermark.link.bandwidth";

    public BandwidthOverride {
        Names.check("link", link);
        if (!(bandwidthMbps > 0) || Double.isInfinite(bandwidthMbps)) {
            throw new InvalidInputException("bandwidth of link '" + link + "': must be a positive number of Mbit/s (got "
                    + bandwidthMbps + ")");
        }
    }

    /** {@code link:mbps}, as the property carries it. */
    public String property() {
        return link + ":" + bandwidthMbps;
    }

    /** The override the property of this JVM names, or null. */
    public static BandwidthOverride current() {
        String value = System.getProperty(PROPERTY, "").strip();
        if (value.isEmpty()) {
            return null;
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new InvalidInputException("-D" + PROPERTY + "=" + value + ": expected LINK:MBPS, e.g. mobile-edge:50");
        }
        try {
            return new BandwidthOverride(value.substring(0, colon), Double.parseDouble(value.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("-D" + PROPERTY + "=" + value + ": '" + value.substring(colon + 1)
                    + "' is not a number of Mbit/s");
        }
    }

    /** {@code links} with the current override applied; the link must exist in {@code dir}. */
    static Map<String, LinkProfile> applyCurrent(Map<String, LinkProfile> links, Path dir) {
        BandwidthOverride o = current();
        if (o == null) {
            return links;
        }
        if (!links.containsKey(o.link())) {
            throw InvalidInputException.unknown("link", o.link(), dir, links.keySet());
        }
        Map<String, LinkProfile> out = new LinkedHashMap<>(links);
        out.put(o.link(), links.get(o.link()).withBandwidth(o.bandwidthMbps()));
        return out;
    }
}
