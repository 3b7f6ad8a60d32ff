package org.tiermark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden files on the studies' raw samples: every cell's median against medians computed with awk
 * (src/test/resources/paper/README.md), the published figures, and the report's trade-off tables
 * against checked-in renderings.
 */
class PaperGoldenTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden");

    @Test
    void everyCellMedianMatchesTheAwkGolden() throws Exception {
        Map<String, Map<String, Samples>> cells = PaperData.cells();
        List<String> lines = Files.readAllLines(PaperData.DIR.resolve("medians-golden.csv"));
        int checked = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            String[] words = f[2].split(" ");
            String op = SamplesCsvReader.operator(List.of(words).subList(1, words.length));
            Samples s = cells.get(f[0]).get(words[0] + "|" + op + "|" + f[1].toLowerCase());
            assertNotNull(s, line);
            assertEquals(Long.parseLong(f[3]), s.size(), line);
            assertEquals(Double.parseDouble(f[4]), s.median(), Double.parseDouble(f[4]) * 1e-8, line);
            checked++;
        }
        assertEquals(152, checked);
    }

    @Test
    void publishedMedians() {
        Map<String, Samples> w = PaperData.cells().get("whitebox-latency");
        Map<String, Samples> b = PaperData.cells().get("blackbox-latency");
        assertEquals(8.943, b.get("ResNet|identity|mobile").median(), 0.0005);
        assertEquals(5.642, b.get("ResNet|identity|edge").median(), 0.0005);
        assertEquals(17.616, b.get("ResNet|identity|cloud").median(), 0.0005);
        assertEquals(8.056, b.get("ResNet|identity|mobile-edge").median(), 0.0005);
        assertEquals(2.887, b.get("ResNet|sptq+early-exit|edge").median(), 0.0005);
        assertEquals(2.099, w.get("ResNet|distill+sptq|edge").median(), 0.0005);
        assertEquals(0.702, w.get("Bert|identity|cloud").median(), 0.0005);
        assertEquals(1155.7, b.get("DUC|identity|edge-cloud").median(), 0.05);
    }

    @Test
    void reportOfTheStudiesMatchesGoldenTables(@TempDir Path out) throws Exception {
        for (String f : new String[] {"whitebox-latency", "blackbox-latency"}) {
            Path dir = out.resolve(f);
            RunReport.Result r = RunReport.write(PaperData.DIR.resolve(f + ".csv"), dir, ReportOptions.defaults().withPlots(false));
            assertEquals(List.of(), r.report().problems());
            for (String model : f.startsWith("white") ? List.of("resnet", "bert") : List.of("resnet", "duc")) {
                String name = "tradeoff-" + model + "-" + f + ".csv";
                assertEquals(Files.readString(GOLDEN.resolve(name)), Files.readString(dir.resolve("tables").resolve(name)), name);
            }
            assertEquals(Files.readString(GOLDEN.resolve(f + "-kruskal.csv")), Files.readString(dir.resolve("tables/kruskal.csv")));
        }
        // the studies' headline finding, in words
        String md = Files.readString(out.resolve("whitebox-latency/report.md"));
        // the studies' headline finding, in words: the fastest, but 1.34 points is outside the default 1-point tolerance
        assertTrue(md.contains("ResNet, whitebox latency: on edge: distill+sptq, 2.099 s (500 samples); 2.69x [2.59, 2.72] faster than "
                + "identity on edge (Cliff's delta -0.95, large); accuracy -1.34 points (OUTSIDE the 1-point tolerance)"), md);
        assertTrue(Files.readString(out.resolve("whitebox-latency/report.json")).contains("\"schema\" : \"tiermark-report/3\""));
    }
}
