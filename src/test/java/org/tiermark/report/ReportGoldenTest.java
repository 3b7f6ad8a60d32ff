package org.tiermark.report;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.GoldenFiles;

/**
 * {@code report.json} and {@code report.md} of fixed inputs against golden files: the studies'
 * white-box CSV and a small checked-in run ({@code golden/run/}: 21 JMH results, accuracy.json and
 * run.json cut from docs/runs/20261125-224222-vm). Plots are off (font rendering varies by machine);
 * the output folder and the project folder are masked.
 */
class ReportGoldenTest {
    static final Path RUN = GoldenFiles.DIR.resolve("run");

    @Test
    void reportOfACheckedInRun(@TempDir Path out) throws Exception {
        RunReport.write(RUN, out, ReportOptions.defaults().withPlots(false));
        assertGolden(out, "run-report");
    }

    @Test
    void reportOfTheStudiesCsv(@TempDir Path out) throws Exception {
        RunReport.write(PaperData.DIR.resolve("whitebox-latency.csv"), out, ReportOptions.defaults().withPlots(false));
        assertGolden(out, "whitebox-report");
    }

    private static void assertGolden(Path out, String name) throws Exception {
        for (String f : new String[] {"report.json", "report.md"}) {
            String text = GoldenFiles.mask(Files.readString(out.resolve(f)), out.toString(), "out");
            // the project's targets file is found through -Dtiermark.home, an absolute path
            text = GoldenFiles.mask(text, Path.of("").toAbsolutePath().toString(), "home");
            GoldenFiles.assertMatches(name + "/" + f, text);
        }
    }
}
