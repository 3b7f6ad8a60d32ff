package org.tiermark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;

class FashionMnistTest {
    @TempDir
    Path dir;

    static boolean installed() {
        return Files.isRegularFile(FashionMnist.DEFAULT_FOLDER.resolve(FashionMnist.Split.TEST.imagesFile()));
    }

    @Test
    @EnabledIf("installed")
    void readsTheDebianPackagesTestSplit() {
        FashionMnist.Images test = FashionMnist.load(FashionMnist.DEFAULT_FOLDER, FashionMnist.Split.TEST);
        assertEquals(10_000, test.size());
        // the first test image of Fashion-MNIST is an ankle boot (class 9), the second a pullover (2)
        assertEquals(9, test.label(0));
        assertEquals(2, test.label(1));
        int[] perClass = new int[10];
        for (int i = 0; i < test.size(); i++) {
            perClass[test.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(1000, perClass[c], "class " + c);
        }
    }

    @Test
    void readsAWellFormedTinySplit() throws IOException {
        byte[] pixels = new byte[2 * 784];
        pixels[0] = (byte) 200;
        pixels[784 + 783] = (byte) 255;
        write(FashionMnist.Split.TEST, 0x803, pixels, 2, 0x801, new byte[] {3, 7});
        FashionMnist.Images images = FashionMnist.load(dir, FashionMnist.Split.TEST);
        assertEquals(2, images.size());
        assertEquals(7, images.label(1));
        assertEquals(200, images.image(0).getRaster().getSample(0, 0, 0));
        assertEquals(255, images.image(1).getRaster().getSample(27, 27, 0));
        assertArrayEquals(pixels, images.pixels());
    }

    @Test
    void wrongMagicIsAClearError() throws IOException {
        write(FashionMnist.Split.TEST, 0x801, new byte[784], 1, 0x801, new byte[] {1});
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz") && e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void labelOutsideTheClassRangeIsAClearError() throws IOException {
        write(FashionMnist.Split.TEST, 0x803, new byte[2 * 784], 2, 0x801, new byte[] {1, 10});
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("label 10 of item 1") && e.getMessage().contains("0..9"), e.getMessage());
    }

    @Test
    void countMismatchAndTruncationAreClearErrors() throws IOException {
        write(FashionMnist.Split.TEST, 0x803, new byte[2 * 784], 2, 0x801, new byte[] {1, 2, 3});
        assertTrue(assertThrows(InvalidInputException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST))
                .getMessage().contains("holds 2 images but"));
        write(FashionMnist.Split.TEST, 0x803, new byte[784], 2, 0x801, new byte[] {1, 2});
        assertTrue(assertThrows(InvalidInputException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST))
                .getMessage().contains("truncated"));
    }

    @Test
    void missingDataNamesThePackageThatProvidesIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> FashionMnist.load(dir.resolve("nowhere"), FashionMnist.Split.TRAIN));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist") && e.getMessage().contains("train-labels-idx1-ubyte.gz"),
                e.getMessage());
    }

    private void write(FashionMnist.Split split, int imageMagic, byte[] pixels, int imageCount, int labelMagic, byte[] labels)
            throws IOException {
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(images)) {
            out.writeInt(imageMagic);
            out.writeInt(imageCount);
            out.writeInt(28);
            out.writeInt(28);
            out.write(pixels);
        }
        ByteArrayOutputStream labelBytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(labelBytes)) {
            out.writeInt(labelMagic);
            out.writeInt(labels.length);
            out.write(labels);
        }
        gzip(dir.resolve(split.imagesFile()), images.toByteArray());
        gzip(dir.resolve(split.labelsFile()), labelBytes.toByteArray());
    }

    private static void gzip(Path file, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
    }
}
