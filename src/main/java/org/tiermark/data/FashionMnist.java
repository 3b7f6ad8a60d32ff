package org.tiermark.data;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.tiermark.InvalidInputException;

/**
 * Fashion-MNIST (Zalando, MIT licence) read from its original idx.gz files, as the Debian package
 * {@code dataset-fashion-mnist} installs them: 28x28 grey images, labels 0..9.
 */
public final class FashionMnist {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");
    /** The system property that points to another folder with the same four files. */
    public static final String FOLDER_PROPERTY = "tiermark.fashionMnist";
    public static final String PACKAGE = "dataset-fashion-mnist";
    public static final int ROWS = 28;
    public static final int COLUMNS = 28;
    public static final int CLASS_COUNT = 10;
    /** Class names in label order, from the data set's README. */
    public static final List<String> CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** The two splits of the data set. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public String imagesFile() {
            return prefix + "-images-idx3-ubyte.gz";
        }

        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte.gz";
        }
    }

    /**
     * One split held in memory.
     *
     * @param pixels row-major 28x28 bytes per image, {@code size() * 784} in all (unsigned: 0 white background .. 255)
     * @param labels class index per image, 0..9
     */
    public record Images(byte[] pixels, byte[] labels) {
        public Images {
            if (pixels.length != labels.length * ROWS * COLUMNS) {
                throw new IllegalArgumentException("pixels: expected " + labels.length * ROWS * COLUMNS
                        + " bytes for " + labels.length + " images (got " + pixels.length + ")");
            }
        }

        public int size() {
            return labels.length;
        }

        public int label(int i) {
            return labels[i];
        }

        /** Image {@code i} as an 8-bit grey image, the type ImageIO returns for a grey PNG. */
        public BufferedImage image(int i) {
            BufferedImage img = new BufferedImage(COLUMNS, ROWS, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, COLUMNS, ROWS, Arrays.copyOfRange(
                    pixels, i * ROWS * COLUMNS, (i + 1) * ROWS * COLUMNS));
            return img;
        }
    }

    private FashionMnist() {}

    /** Where the build puts the package's files when it is not installed (relative to the project home). */
    public static final Path BUILD_FOLDER = Path.of("target/fashion-mnist");

    /**
     * The folder from {@code -Dtiermark.fashionMnist}, else the Debian package's folder when installed,
     * else the build's copy ({@link #BUILD_FOLDER}) when there, else the Debian package's folder (for the message).
     */
    public static Path folder() {
        String p = System.getProperty(FOLDER_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        return !complete(DEFAULT_FOLDER) && complete(BUILD_FOLDER) ? BUILD_FOLDER : DEFAULT_FOLDER;
    }

    /** Whether {@code folder} holds the four files. */
    public static boolean complete(Path folder) {
        for (Split s : Split.values()) {
            if (!Files.isRegularFile(folder.resolve(s.imagesFile())) || !Files.isRegularFile(folder.resolve(s.labelsFile()))) {
                return false;
            }
        }
        return true;
    }

    public static Images load(Split split) {
        return load(folder(), split);
    }

    /** Reads one split from {@code folder}; a missing file names the package that provides it. */
    public static Images load(Path folder, Split split) {
        Path images = folder.resolve(split.imagesFile());
        Path labels = folder.resolve(split.labelsFile());
        byte[] l = readLabels(labels);
        byte[] p = readImages(images);
        if (p.length != l.length * ROWS * COLUMNS) {
            throw new InvalidInputException(images + ": holds " + p.length / (ROWS * COLUMNS) + " images but "
                    + labels + " holds " + l.length + " labels");
        }
        return new Images(p, l);
    }

    static byte[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new InvalidInputException(file + ": not an idx1 label file (magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x801)");
            }
            int n = in.readInt();
            if (n < 1 || n > 10_000_000) {
                throw new InvalidInputException(file + ": implausible label count " + n);
            }
            byte[] labels = new byte[n];
            in.readFully(labels);
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= CLASS_COUNT) {
                    throw new InvalidInputException(file + ": label " + (labels[i] & 0xff) + " of item " + i
                            + " is outside the class range 0.." + (CLASS_COUNT - 1));
                }
            }
            return labels;
        } catch (EOFException e) {
            throw new InvalidInputException(file + ": truncated (fewer labels than its header says)", e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static byte[] readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new InvalidInputException(file + ": not an idx3 image file (magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x803)");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows != ROWS || cols != COLUMNS) {
                throw new InvalidInputException(file + ": images are " + rows + "x" + cols + ", expected 28x28");
            }
            if (n < 1 || n > 10_000_000) {
                throw new InvalidInputException(file + ": implausible image count " + n);
            }
            byte[] pixels = new byte[n * ROWS * COLUMNS];
            in.readFully(pixels);
            return pixels;
        } catch (EOFException e) {
            throw new InvalidInputException(file + ": truncated (fewer pixels than its header says)", e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": Fashion-MNIST file not found; install the Debian package `"
                    + PACKAGE + "` (apt-get install " + PACKAGE + ") or point -D" + FOLDER_PROPERTY
                    + " at a folder holding " + Split.TRAIN.imagesFile() + ", " + Split.TRAIN.labelsFile() + ", "
                    + Split.TEST.imagesFile() + " and " + Split.TEST.labelsFile());
        }
        try {
            return new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw new InvalidInputException(file + ": not a gzip file: " + e.getMessage(), e);
        }
    }
}
