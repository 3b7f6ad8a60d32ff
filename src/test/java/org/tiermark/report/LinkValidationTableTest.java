package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkValidationTableTest {
    /** A real LinkTransferBenchmark result: 100 KB over mobile-edge at 10 and 100 Mbit/s, kept and new connections. */
    static final Path RESULT = Path.of("src/test/resources/jmh/link-transfer.json");

    @Test
    void oneRowPerCellWithTheErrorBeforeAndAfterCalibration() {
        List<Measurement> ms = JmhReader.read(RESULT).measurements();
        Table t = LinkValidationTable.of(ms);
        assertEquals(4, t.rows().size());
        List<Object> first = t.rows().get(0);
        assertEquals(List.of("mobile-edge", "kept", 10.0, 100000L), first.subList(0, 4));
        Measurement m = ms.stream().filter(x -> x.param("bandwidthMbps").equals("10") && x.param("connection").equals("kept"))
                .findFirst().orElseThrow();
        double measured = m.secondary().get("transferNanos") / m.secondary().get("transfers") / 1e6;
        double after = m.secondary().get("modelNanos") / m.secondary().get("transfers") / 1e6;
        double before = m.secondary().get("payloadOnlyNanos") / m.secondary().get("transfers") / 1e6;
        assertEquals(measured, (double) first.get(4), 1e-9);
        assertEquals(Math.round((measured - before) / before * 1000) / 10.0, (double) first.get(6), 1e-9);
        assertEquals(Math.round((measured - after) / after * 1000) / 10.0, (double) first.get(8), 1e-9);
        assertEquals(Math.abs((double) first.get(8)) <= 5 ? "yes" : "no", first.get(9), "within the issue's 5% target");
        // 100 KB at 10 Mbit/s with 1 ms: 84.75 ms calibrated (headers counted), 81.0 ms payload only
        assertEquals(84.75, after, 0.01);
        assertEquals(81.0, before, 0.01);
        assertEquals(List.of("new", 100.0), t.rows().get(3).subList(1, 3));
    }

    @Test
    void noTableWithoutTheBenchmark() {
        assertNull(LinkValidationTable.of(List.of(new Measurement("org.tiermark.bench.LinkWaitBenchmark.linkWait", "sample", "us/op",
                Map.of(), Samples.of(1), List.of(), Map.of(), "test"))));
    }
}
