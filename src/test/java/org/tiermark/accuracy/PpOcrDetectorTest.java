package org.tiermark.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.tiermark.Suite;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.LinkDelayModel;

/** The real PP-OCRv4 detector finds the rendered text lines of a few committed evaluation images. */
class PpOcrDetectorTest {
    static final Path HOME = Path.of(System.getProperty("tiermark.home", "."));

    @Test
    void detectorFindsRenderedText() throws Exception {
        assumeTrue(Files.isRegularFile(HOME.resolve("models/base/ppocr-v4-det/assets/ch_PP-OCRv4_det_infer.onnx")),
                "the build fetches the detector from npm");
        Suite suite = Suite.load(HOME);
        Evaluator ev = Evaluator.create(suite.catalog().model("ppocr-det"), "small");
        assertEquals(100, ev.size());
        int tp = 0;
        int truth = 0;
        double iou = 0;
        int n = 4;
        try (DeploymentRunner r = suite.runner("ppocr-det", "identity", "cloud", LinkDelayModel.OFF)) {
            for (int i = 1; i <= n; i++) {
                Evaluator.Outcome o = ev.judge(i, r.run(ev.input(i)));
                tp += o.boxTp();
                truth += o.boxTp() + o.boxFn();
                iou += o.score();
            }
        }
        assertTrue(truth > 0);
        assertTrue(tp >= 0.8 * truth, "found " + tp + " of " + truth + " text lines");
        assertTrue(iou / n > 0.3, "mean IoU of the map with the text kernels: " + iou / n);
    }
}
