package org.tiermark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.train.FmnistInputs;

class LabelledImagesTest {
    @TempDir
    Path dir;

    private static BufferedImage gradient() {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                img.getRaster().setSample(x, y, 0, (x * 9 + y * 3) % 256);
            }
        }
        return img;
    }

    @Test
    void readsImagesAndLabels() throws IOException {
        Files.write(dir.resolve("a.png"), FashionMnistSets.png(gradient()));
        Files.writeString(dir.resolve("labels.csv"), "file,label\na.png,9\n");
        LabelledImages set = LabelledImages.load(dir, 10);
        assertEquals(1, set.size());
        assertEquals(9, set.items().get(0).label());
    }

    @Test
    void labelOutsideTheClassRangeNamesTheLine() throws IOException {
        Files.write(dir.resolve("a.png"), FashionMnistSets.png(gradient()));
        Files.writeString(dir.resolve("labels.csv"), "file,label\na.png,10\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LabelledImages.load(dir, 10));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("0..9"), e.getMessage());
    }

    @Test
    void missingImageOrLabelsIsAClearError() throws IOException {
        assertTrue(assertThrows(InvalidInputException.class, () -> LabelledImages.load(dir, 10))
                .getMessage().contains("labels.csv"));
        Files.writeString(dir.resolve("labels.csv"), "file,label\ngone.png,1\n");
        assertTrue(assertThrows(InvalidInputException.class, () -> LabelledImages.load(dir, 10))
                .getMessage().contains("image not found"));
        Files.writeString(dir.resolve("labels.csv"), "name,class\n");
        assertTrue(assertThrows(InvalidInputException.class, () -> LabelledImages.load(dir, 10))
                .getMessage().contains("header"));
    }

    /** Training feeds the model what the runtime feeds it: the PNG path gives the same floats as the in-memory image. */
    @Test
    void pngInputIsPreprocessedExactlyAsTrainingImages() throws Exception {
        BufferedImage img = gradient();
        var spec = FmnistInputs.imageFormat(64);
        float[] direct = new float[64 * 64];
        new ImagePreprocessor(null, spec).writePixels(img, FloatBuffer.wrap(direct));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (ImagePreprocessor pre = new ImagePreprocessor(env, spec)) {
            Map<String, OnnxTensor> t = pre.prepare(FashionMnistSets.png(img));
            try (OnnxTensor tensor = t.get(FmnistInputs.TENSOR)) {
                assertArrayEquals(new long[] {1, 1, 64, 64}, tensor.getInfo().getShape());
                float[] viaPng = new float[64 * 64];
                tensor.getFloatBuffer().get(viaPng);
                assertArrayEquals(direct, viaPng);
            }
        }
    }
}
