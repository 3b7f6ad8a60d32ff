package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading JMH JSON: params generically, raw histograms, secondary metrics, and bad files. */
class JmhReaderTest {
    static final Path RUN = Path.of("src/test/resources/jmh/run-small");

    @Test
    void readsEveryBenchmarkWithItsHistogramAndCounters() {
        Readout r = JmhReader.read(RUN.resolve("jmh.json"));
        assertEquals(List.of(), r.problems());
        assertEquals(7, r.measurements().size());
        Measurement mobile = r.measurements().stream().filter(m -> "mobile".equals(m.param("deployment"))).findFirst().orElseThrow();
        assertEquals("DeploymentBenchmark.request", mobile.shortName());
        assertEquals("ms/op", mobile.unit());
        assertEquals("sample", mobile.mode());
        assertEquals(2, mobile.iterations().size());
        // the file's rawDataHistogram: 9 + 11 observations in the two iterations
        assertEquals(20, mobile.samples().size());
        // JMH's own percentile of the same data: scorePercentiles "50.0" = 96.468992
        assertEquals(96.468992, mobile.samples().median(), 1e-9);
        // requests summed over iterations; per-request compute time is plausible (tens of ms)
        assertTrue(mobile.secondary().get("requests") >= 20);
        double computeMs = mobile.secondaryPer("computeNanos", "requests") / 1e6;
        assertTrue(computeMs > 10 && computeMs < 1000, "compute per request " + computeMs);
        Measurement wait = r.measurements().stream().filter(m -> "5000".equals(m.param("waitMicros"))).findFirst().orElseThrow();
        assertEquals("us/op", wait.unit());
        assertEquals(5000, wait.samples().median(), 100);
    }

    @Test
    void truncatedFileKeepsTheCompleteResults(@TempDir Path dir) throws Exception {
        String full = Files.readString(RUN.resolve("jmh.json"));
        Path cut = dir.resolve("jmh.json");
        // cut in the middle of the fourth result
        int at = nthIndexOf(full, "\"jmhVersion\"", 4) + 200;
        Files.writeString(cut, full.substring(0, at));
        Readout r = JmhReader.read(cut);
        assertEquals(3, r.measurements().size());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).contains("truncated or invalid JSON in element [3]"), r.problems().get(0));
        assertTrue(r.problems().get(0).contains("the 3 complete results before it are reported"), r.problems().get(0));
    }

    @Test
    void foreignJsonIsNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"schema\": \"tiermark-accuracy/1\", \"entries\": []}");
        Readout r = JmhReader.read(f);
        assertEquals(0, r.measurements().size());
        assertTrue(r.problems().get(0).contains("not JMH JSON: expected an array of benchmark results"), r.problems().get(0));
        Files.writeString(f, "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"primaryMetric\": {\"score\": 1, \"scoreUnit\": \"ms/op\", \"rawData\": [[1.0, 2.0]]}},"
                + " {\"name\": \"other\"}, 42]");
        r = JmhReader.read(f);
        assertEquals(1, r.measurements().size());
        assertEquals(1.5, r.measurements().get(0).samples().median(), 1e-12);
        assertEquals(2, r.problems().size());
        assertTrue(r.problems().get(0).contains("element [1]: field 'benchmark' missing"), r.problems().get(0));
        assertTrue(r.problems().get(1).contains("element [2]: not a benchmark result"), r.problems().get(1));
    }

    @Test
    void resultWithoutSamplesIsAFailedBenchmark(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "[{\"benchmark\": \"a.B.c\", \"mode\": \"sample\", \"primaryMetric\": {\"score\": \"NaN\", \"scoreUnit\": \"ms/op\", \"rawDataHistogram\": [[]]}}]");
        Readout r = JmhReader.read(f);
        assertEquals(0, r.measurements().size());
        assertTrue(r.problems().get(0).contains("(a.B.c): no raw samples"), r.problems().get(0));
    }

    @Test
    void samplesCsvWithQuotedNewlines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("samples.csv");
        Files.writeString(f, "Inference,Device,Model\n\"1.5\n\",Mobile,ResNet Quantize EarlyExit\n\"2.5\n\",Mobile,ResNet Quantize EarlyExit\n"
                + "\"0.5\",Edge-Cloud,Bert\nnot-a-number,Edge,Bert\n");
        Readout r = SamplesCsvReader.read(f);
        assertEquals(2, r.measurements().size());
        Measurement m = r.measurements().get(0);
        assertEquals("sptq+early-exit", m.param("operator"));
        assertEquals("mobile", m.param("deployment"));
        assertEquals("ResNet", m.param("model"));
        assertEquals(2.0, m.samples().median(), 1e-12);
        assertEquals("identity", r.measurements().get(1).param("operator"));
        assertEquals("edge-cloud", r.measurements().get(1).param("deployment"));
        assertTrue(r.problems().get(0).contains("1 rows skipped"), r.problems().get(0));
        Files.writeString(f, "a,b\n1,2\n");
        assertTrue(SamplesCsvReader.read(f).problems().get(0).contains("not a samples CSV"));
    }

    private static int nthIndexOf(String s, String what, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = s.indexOf(what, at + 1);
        }
        return at;
    }
}
