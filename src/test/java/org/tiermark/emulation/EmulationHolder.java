package org.tiermark.emulation;

import java.util.List;

/**
 * A run that creates an emulation, prints its run id and waits to be killed: for the stale-set and shutdown-hook tests.
 * Arguments: the congestion control, and optionally the link's round trip in ms (a packet link when above 0).
 */
public final class EmulationHolder {
    private EmulationHolder() {}

    public static void main(String[] args) throws Exception {
        NetworkEmulation e = NetworkEmulation.create(
                List.of(new NetworkEmulation.TierSpec("mobile", 0.5, 0), new NetworkEmulation.TierSpec("edge", 0, 0)),
                List.of(new NetworkEmulation.LinkSpec("mobile", "edge", 10, args.length > 1 ? Double.parseDouble(args[1]) : 0)), args[0]);
        System.out.println("run " + e.runId());
        System.out.flush();
        Thread.sleep(120_000); // the test kills this process well before
        e.close();
    }
}
