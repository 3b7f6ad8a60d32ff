package org.tiermark.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.tiermark.AtomicFiles;

/**
 * The fixed, seeded Fashion-MNIST sets the suite ships as PNG files: evaluation subsets and the
 * benchmark pool from the TEST split, calibration images from the TRAIN split (so calibration never
 * sees evaluation data).
 */
public final class FashionMnistSets {
    /** Seed of the test-split permutation that eval-100, eval-1000 and the pool are prefixes of. */
    public static final long TEST_SEED = 20_240_326L;
    /** Seed of the train-split permutation that the calibration set is a prefix of. */
    public static final long CALIBRATION_SEED = 20_241_101L;
    public static final int SMALL = 100;
    public static final int LARGE = 1000;
    public static final int POOL = 256;
    public static final int CALIBRATION = 100;

    private FashionMnistSets() {}

    /** What was written, for the command's report. */
    public record Written(Path folder, int files) {}

    /** Writes {@code eval-100/}, {@code eval-1000/}, {@code pool/} and {@code calibration/} under {@code target}. */
    public static List<Written> write(FashionMnist.Images train, FashionMnist.Images test, Path target) throws IOException {
        int[] testOrder = permutation(test.size(), TEST_SEED);
        int[] trainOrder = permutation(train.size(), CALIBRATION_SEED);
        List<Written> out = new ArrayList<>();
        out.add(writeLabelled(test, "test", testOrder, Math.min(SMALL, test.size()), target.resolve("eval-100")));
        out.add(writeLabelled(test, "test", testOrder, Math.min(LARGE, test.size()), target.resolve("eval-1000")));
        out.add(writeImages(test, "test", testOrder, Math.min(POOL, test.size()), target.resolve("pool")));
        out.add(writeImages(train, "train", trainOrder, Math.min(CALIBRATION, train.size()), target.resolve("calibration")));
        return out;
    }

    /** A seeded Fisher-Yates permutation of 0..n-1. */
    public static int[] permutation(int n, long seed) {
        return permutation(n, new SplittableRandom(seed));
    }

    /** A Fisher-Yates permutation of 0..n-1 drawn from {@code random} (advanced by the draw). */
    public static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static Written writeLabelled(FashionMnist.Images data, String split, int[] order, int n, Path folder) throws IOException {
        List<String> files = new ArrayList<>(n);
        int[] labels = new int[n];
        for (int k = 0; k < n; k++) {
            String name = fileName(split, order[k]);
            AtomicFiles.write(folder.resolve(name), png(data.image(order[k])));
            files.add(name);
            labels[k] = data.label(order[k]);
        }
        AtomicFiles.write(folder.resolve(LabelledImages.LABELS), LabelledImages.labelsCsv(files, labels));
        return new Written(folder, n);
    }

    private static Written writeImages(FashionMnist.Images data, String split, int[] order, int n, Path folder) throws IOException {
        for (int k = 0; k < n; k++) {
            AtomicFiles.write(folder.resolve(fileName(split, order[k])), png(data.image(order[k])));
        }
        return new Written(folder, n);
    }

    /** {@code test-01234.png}: the split and the index in it, so that every file can be traced back. */
    static String fileName(String split, int index) {
        return String.format("%s-%05d.png", split, index);
    }

    /** An 8-bit grey PNG, byte for byte the same for the same image. */
    public static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
