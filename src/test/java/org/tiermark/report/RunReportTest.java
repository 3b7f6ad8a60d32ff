package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;

/** The report step end to end on a real (small) run folder: every file, plots, HTML, bad input. */
class RunReportTest {
    static Path copyRun(Path to) throws IOException {
        Path from = JmhReaderTest.RUN;
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    static void writeAccuracy(Path run) throws IOException {
        Files.writeString(run.resolve("accuracy.json"), """
                {"schema": "tiermark-accuracy/1", "createdUtc": "2026-11-25T17:00:00Z", "evaluationSet": "large",
                 "entries": [
                  {"model": "minilm-l6", "operator": "identity", "metric": "f1", "value": 0.96, "ci95": [0.95, 0.97],
                   "deltaVsIdentity": 0.0, "agreementWithIdentity": 1.0, "samples": 8, "evaluationSeconds": 1.0,
                   "perSample": [1, 1, 1, 0, 1, 1, 1, 1], "futureField": "ignored"},
                  {"model": "minilm-l6", "operator": "sptq", "metric": "f1", "value": 0.95, "ci95": [0.94, 0.96],
                   "deltaVsIdentity": -0.01, "samples": 8, "perSample": [1, 0, 1, 0, 1, 1, 0, 1]}
                 ],
                 "errors": [{"model": "minilm-l6", "operator": "prune", "message": "variant not built"}]}
                """);
    }

    @Test
    void writesEveryRenderingBesideTheMeasurements(@TempDir Path tmp) throws Exception {
        Path run = copyRun(tmp.resolve("20261125-170000-host"));
        writeAccuracy(run);
        byte[] jmhBefore = Files.readAllBytes(run.resolve("jmh.json"));
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults());
        assertFalse(r.gateFailed());
        for (String f : List.of("report.md", "report.csv", "report.html", "report.json", "tables/deployments.csv",
                "tables/link-wait.csv", "tables/benchmarks.csv")) {
            assertTrue(Files.size(run.resolve(f)) > 100, f);
        }
        // measurements untouched
        assertTrue(Arrays.equals(jmhBefore, Files.readAllBytes(run.resolve("jmh.json"))));
        // headline CSV: model x deployment with the foundation columns
        String csv = Files.readString(run.resolve("report.csv"));
        assertTrue(csv.startsWith("model,operator,deployment,median (ms),p90 (ms),p99 (ms),compute share,payload bytes/request,memory MB,deployable,samples"), csv);
        assertTrue(csv.contains(",106.500096,yes,33"), "memory from stages/ and within the edge budget: " + csv);
        assertTrue(csv.contains("minilm-l6,identity,mobile,96.468992,"), csv);
        // targets checked (this run predates HarnessOverheadBenchmark.paired, the harness-overhead target's benchmark)
        JsonNode json = Json.MAPPER.readTree(Files.readString(run.resolve("report.json")));
        assertEquals(3, json.get("checks").size());
        assertEquals("link-wait", json.get("checks").get(0).get("target").asText());
        assertTrue(json.get("cells").size() >= 2);
        // accuracy: the error, the unmeasured sptq entry and the Wilcoxon test are reported
        String problems = json.get("problems").toString();
        assertTrue(problems.contains("accuracy of minilm-l6/prune failed: variant not built"), problems);
        assertTrue(problems.contains("model=minilm-l6 operator=sptq has an accuracy entry but no latency measurement"), problems);
        assertEquals(1, json.get("accuracyTests").size());
        // plots: PNG decodes, SVG is XML with an svg root
        List<Path> pngs = r.files().stream().filter(p -> p.toString().endsWith(".png")).toList();
        List<Path> svgs = r.files().stream().filter(p -> p.toString().endsWith(".svg")).toList();
        // the latency-vs-accuracy picture (PNG and SVG) and one box plot per deployment (PNG)
        assertEquals(3, pngs.size(), r.files().toString());
        assertEquals(1, svgs.size());
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertTrue(img.getWidth() >= 500 && img.getHeight() >= 450, p.toString());
        }
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        // the SVG names the W3C DTD; parse without fetching it
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        for (Path p : svgs) {
            var doc = xml.newDocumentBuilder().parse(p.toFile());
            assertEquals("svg", doc.getDocumentElement().getNodeName());
        }
        // HTML is self-contained: plots inline, nothing loaded from elsewhere
        String html = Files.readString(run.resolve("report.html"));
        // the summary's picture, then every PNG
        assertEquals(1 + 3, html.split("src=\"data:image/png;base64,", -1).length - 1);
        assertTrue(html.indexOf("<h2>Summary</h2>") < html.indexOf("<h2>Recommendations</h2>"));
        assertFalse(html.contains("src=\"plots/") || html.contains("href=\"http") || html.contains("<link") || html.contains("<script src"));
    }

    @Test
    void truncatedRunStillGetsAReportOfWhatIsValid(@TempDir Path tmp) throws Exception {
        Path run = copyRun(tmp.resolve("run"));
        String full = Files.readString(run.resolve("jmh.json"));
        Files.writeString(run.resolve("jmh.json"), full.substring(0, full.length() / 2));
        // a trial that was set up and then failed: its stage file exists, its result does not
        Files.writeString(run.resolve("stages/DeploymentBenchmark.minilm-l6.identity.cloud.simulated.1.json"),
                "{\"schemaVersion\":1,\"benchmark\":\"DeploymentBenchmark\",\"model\":\"minilm-l6\",\"operator\":\"identity\","
                        + "\"deployment\":\"cloud\",\"stages\":[],\"hops\":[{\"hop\":\"mobile>mobile\",\"payloadBytes\":0,\"links\":[]}]}");
        RunReport.Result r = RunReport.write(run, ReportOptions.defaults().withPlots(false));
        String md = Files.readString(run.resolve("report.md"));
        assertTrue(md.contains("## Problems"));
        assertTrue(md.contains("truncated or invalid JSON"), md);
        assertTrue(md.contains("deployment=cloud was set up but has no result in the JMH JSON: it failed"), md);
        assertTrue(r.report().tables().stream().anyMatch(t -> t.id().equals("deployments")));
    }

    @Test
    void reportOfAnyJmhJson(@TempDir Path tmp) throws Exception {
        RunReport.Result r = RunReport.write(GateTest.JMH.resolve("linkwait-a.json"), tmp, ReportOptions.defaults());
        Table t = r.report().tables().stream().filter(x -> x.id().equals("benchmarks")).findFirst().orElseThrow();
        assertEquals(2, t.rows().size());
        assertTrue(Files.readString(tmp.resolve("report.csv")).startsWith("benchmark,params,mode,unit,samples"));
    }

    @Test
    void gateRunsFromTheReportStep(@TempDir Path tmp) throws Exception {
        RunReport.Result r = RunReport.write(GateTest.JMH.resolve("linkwait-slowed-1200-6000.json"), tmp,
                ReportOptions.defaults().withBaseline(GateTest.JMH.resolve("linkwait-a.json")).withPlots(false));
        assertTrue(r.gateFailed());
        assertTrue(Files.readString(tmp.resolve("report.md")).contains("**Regression gate: FAILED: 2 of 2 benchmarks regressed** (2 regressions"));
        assertThrows(InvalidInputException.class, () -> RunReport.write(GateTest.JMH.resolve("linkwait-a.json"), tmp,
                ReportOptions.defaults().withBaseline(tmp.resolve("nope"))));
    }

    @Test
    void theSuitesReportGatesWhenGivenABaseline(@TempDir Path results) throws Exception {
        Path run = copyRun(results.resolve("20261125-170000-host"));
        RunReport.Result r = RunReport.forSuite(run, "", false);
        assertFalse(r.gateFailed());
        assertEquals(null, r.report().gate());
        assertTrue(Files.exists(run.resolve("report.html")));
        assertFalse(Files.exists(results.resolve("latest")), "latest is the suite's business");
        Path again = copyRun(results.resolve("20261125-180000-host"));
        Files.writeString(run.resolve("run.json"), "{\"host\": \"phone\", \"cores\": 2}");
        Files.writeString(again.resolve("run.json"), "{\"host\": \"edge-box\", \"cores\": 2, \"failures\": [{\"group\": \"03-x\", \"error\": \"boom\"}]}");
        RunReport.Result g = RunReport.forSuite(again, run.toString(), false);
        assertFalse(g.gateFailed(), "the same measurements against themselves");
        assertEquals(7, g.report().gate().rows().size());
        String gateNotes = String.join("\n", g.report().gate().problems());
        assertTrue(gateNotes.contains("measured with a different host (phone vs edge-box now)"), gateNotes);
        assertTrue(g.report().problems().stream().anyMatch(p -> p.contains("run.json: failed: {group=03-x, error=boom}")),
                g.report().problems().toString());
    }
}
