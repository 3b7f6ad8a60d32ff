package org.tiermark.report;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The studies' CSVs (test copies), read once: file stem -> "model|operator|deployment" -> samples. */
final class PaperData {
    static final Path DIR = Path.of("src/test/resources/paper");
    private static Map<String, Map<String, Samples>> cells;

    private PaperData() {}

    static synchronized Map<String, Map<String, Samples>> cells() {
        if (cells == null) {
            cells = new LinkedHashMap<>();
            for (String f : new String[] {"blackbox-latency", "whitebox-latency"}) {
                Readout r = SamplesCsvReader.read(DIR.resolve(f + ".csv"));
                if (!r.problems().isEmpty()) {
                    throw new AssertionError("reading " + f + ": " + r.problems());
                }
                Map<String, Samples> m = new LinkedHashMap<>();
                r.measurements().forEach(x -> m.put(x.param("model") + "|" + x.param("operator") + "|" + x.param("deployment"), x.samples()));
                cells.put(f, m);
            }
        }
        return cells;
    }
}
