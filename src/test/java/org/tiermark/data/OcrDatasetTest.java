package org.tiermark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OcrDatasetTest {
    static final Path HOME = Path.of(System.getProperty("tiermark.home", "."));

    @TempDir
    Path dir;

    @Test
    void renderingIsDeterministicAndMatchesTheCommittedLabels() throws IOException {
        assumeTrue(OcrDataset.fontsAvailable(), "needs Debian fonts-dejavu-core");
        OcrDataset.write(dir.resolve("a"), new OcrDataset.Spec("eval-100", OcrDataset.SMALL.seed(), 5));
        OcrDataset.Labels mine = OcrDataset.readLabels(dir.resolve("a"));
        OcrDataset.Labels committed = OcrDataset.readLabels(HOME.resolve("data/ocr/eval-100"));
        for (int i = 0; i < 5; i++) {
            assertEquals(committed.images().get(i).texts(), mine.images().get(i).texts());
            for (int b = 0; b < mine.images().get(i).boxes().size(); b++) {
                assertTrue(Arrays.equals(committed.images().get(i).boxes().get(b), mine.images().get(i).boxes().get(b)));
            }
        }
    }

    @Test
    void calibrationImagesAreDisjointFromEvaluationImages() throws IOException {
        Set<String> eval = new HashSet<>();
        for (OcrDataset.Image im : OcrDataset.readLabels(HOME.resolve("data/ocr/eval-100")).images()) {
            assertFalse(im.boxes().isEmpty(), "every image has text: " + im.file());
            eval.add(org.tiermark.build.NpmPackage.integrityOf(HOME.resolve("data/ocr/eval-100").resolve(im.file())));
        }
        for (OcrDataset.Image im : OcrDataset.readLabels(HOME.resolve("data/ocr/calibration")).images()) {
            assertFalse(eval.contains(org.tiermark.build.NpmPackage.integrityOf(HOME.resolve("data/ocr/calibration").resolve(im.file()))),
                    im.file());
        }
    }
}
