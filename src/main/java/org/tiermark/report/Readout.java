package org.tiermark.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What a reader got out of a file: every measurement it could read and a message for each part it
 * could not, so a report of the valid part is still written.
 */
public record Readout(List<Measurement> measurements, List<String> problems) {
    public Readout {
        measurements = List.copyOf(measurements);
        problems = List.copyOf(problems);
    }

    /** Both readouts together. */
    public Readout plus(Readout other) {
        List<Measurement> m = new ArrayList<>(measurements);
        m.addAll(other.measurements);
        List<String> p = new ArrayList<>(problems);
        p.addAll(other.problems);
        return new Readout(m, p);
    }
}
